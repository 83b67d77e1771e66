"""The cost of the revision history (issue 15): a generated portal with N commits of history, built
cold (no history cache) and warm, against the same portal without git.

    python benchmarks/generate.py --scale 1 --out /tmp/bench/portal
    python benchmarks/history.py --portal /tmp/bench/portal --commits 1000 --work /tmp/bench/history

The first commit adds every file; each later commit edits 1–5 rows of one data file (a text field
that no rule protects, so the data stays valid), one day after the other. Prints wall time, CPU time
and peak memory (the child's max RSS) of each build, what history adds (per round: builds with and
without git alternate, `--rounds N`, and the median), and the count of changes the history holds.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

TODAY = "2026-11-25"
EDITABLE = {"projects.csv": 16, "units.csv": 8, "milestones.csv": 3, "resources.csv": 4, "needs.csv": 2}  # file -> column


def git(root: Path, *args: str, day: dt.date | None = None) -> None:
    env = dict(os.environ)
    if day is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{day.isoformat()}T10:00:00+08:00"
    subprocess.run(["git", "-C", str(root), *args], check=True, env=env, capture_output=True)


def make_history(portal: Path, repo: Path, commits: int) -> None:
    shutil.rmtree(repo, ignore_errors=True)
    shutil.copytree(portal, repo, ignore=shutil.ignore_patterns("site", ".cache", ".git"))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "bench@example.org")
    git(repo, "config", "user.name", "bench")
    day = dt.date(2024, 1, 1)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "first", day=day)
    rng = random.Random(1)
    tables = {}
    for name in EDITABLE:
        text = (repo / "datasets" / name).read_text(encoding="utf-8-sig")
        tables[name] = list(csv.reader(io.StringIO(text)))
    for n in range(1, commits):
        day += dt.timedelta(days=1)
        name = rng.choice(sorted(EDITABLE))
        rows, column = tables[name], EDITABLE[name]
        for _ in range(rng.randint(1, 5)):
            row = rows[rng.randrange(1, len(rows))]
            row[column] = (row[column].split("（更新")[0] + f"（更新 {n}）")[:4000]
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        (repo / "datasets" / name).write_text(out.getvalue(), encoding="utf-8-sig")
        git(repo, "commit", "-q", "-am", f"edit {n}", day=day)


PEAK = ("import resource, runpy, sys\n"
        "sys.argv = ['gongkai'] + sys.argv[1:]\n"
        "try:\n    runpy.run_module('gongkai.cli', run_name='__main__')\n"
        "finally:\n    print('PEAK_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n")


def timed_build(root: Path, site: Path) -> dict:
    """Wall time, CPU time (the build, its worker processes and git: steadier than wall time on a shared
machine) and the build process's own peak memory (its worker processes not counted)."""
    start, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([sys.executable, "-c", PEAK, "build", str(root), "--site-dir", str(site), "--today", TODAY],
                         capture_output=True, text=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime  # with its workers and git
    if out.returncode != 0:
        raise SystemExit(out.stdout[-3000:] + out.stderr[-3000:])
    peak = int(out.stderr.rsplit("PEAK_KB", 1)[1].split()[0])
    return {"seconds": round(seconds, 1), "cpu_seconds": round(cpu, 1), "peak_mb": round(peak / 1024)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--portal", type=Path, required=True)
    parser.add_argument("--commits", type=int, default=1000)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--reuse", action="store_true", help="keep the repository an earlier run made in --work")
    parser.add_argument("--rounds", type=int, default=1, help="cold and warm builds of both, alternated, N times")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    repo, plain = args.work / "repo", args.work / "plain"
    if not (args.reuse and (repo / ".git").is_dir()):
        t = time.perf_counter()
        make_history(args.portal, repo, args.commits)
        print(f"history of {args.commits} commits made in {time.perf_counter() - t:.0f} s", flush=True)
    shutil.rmtree(plain, ignore_errors=True)
    shutil.copytree(repo, plain, ignore=shutil.ignore_patterns(".git", ".cache"))
    results = {"commits": args.commits, "rounds": []}
    for _ in range(args.rounds):  # alternated: this machine's speed drifts between minutes
        found = {}
        for name, root in (("without git", plain), ("with history", repo)):
            shutil.rmtree(root / ".cache", ignore_errors=True)
            found[f"{name}, cold"] = timed_build(root, args.work / f"site-{root.name}-cold")
        for name, root in (("without git", plain), ("with history", repo)):
            found[f"{name}, warm"] = timed_build(root, args.work / f"site-{root.name}-warm")
        for kind in ("cold", "warm"):
            base, with_history = found[f"without git, {kind}"], found[f"with history, {kind}"]
            found[f"history adds, {kind}"] = {unit: round(with_history[unit] - base[unit], 1)
                                              for unit in ("seconds", "cpu_seconds", "peak_mb")}
        results["rounds"].append(found)
        print(json.dumps(found, ensure_ascii=False), flush=True)
    for kind in ("cold", "warm"):
        added = sorted(r[f"history adds, {kind}"]["seconds"] for r in results["rounds"])
        results[f"history adds, {kind}, median seconds"] = added[len(added) // 2]
    commits = json.loads((args.work / "site-repo-warm" / "data" / "changes.json").read_text(encoding="utf-8"))["commits"]
    results["changes"] = sum(len(commit["changes"]) for commit in commits)
    cold, warm = args.work / "site-repo-cold", args.work / "site-repo-warm"
    same = all((cold / p.relative_to(warm)).read_bytes() == p.read_bytes() for p in warm.rglob("*") if p.is_file())
    results["cold and warm sites identical"] = same
    print(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
