"""Benchmark gongkai at district scale against the stack's own cost (issue 7). Run by hand, never in tests.

    python benchmarks/run.py --scale 0.25                 # temp folder, removed afterwards
    python benchmarks/run.py --scale 1 --keep /tmp/b1     # keep the portal, sites and logs
    python benchmarks/run.py --scale 0.25 --profile       # also a cProfile'd build: top 15 cumulative

Every measured command runs as its own subprocess; seconds are wall-clock, memory is the peak RSS of
that process (os.wait4). Prints a readable table and then a JSON summary (also written to
<work>/results.json). See benchmarks/README.md for the figures and how to read them.
"""
from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import os
import platform
import pstats
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "baseline"))

import generate  # noqa: E402
import plain_mkdocs  # noqa: E402
import search_resident  # noqa: E402

TODAY = generate.TODAY.isoformat()
PY = sys.executable


# ---------------------------------------------------------------- running commands
@dataclass
class Run:
    seconds: float
    cpu_s: float
    peak_mb: float
    returncode: int
    stdout: str
    stderr: str

    def brief(self) -> dict:
        return {"seconds": round(self.seconds, 2), "cpu_s": round(self.cpu_s, 2), "peak_mb": round(self.peak_mb, 1),
                "returncode": self.returncode}


def measure(cmd: list[str], log: Path, cwd: Path | None = None, env: dict | None = None) -> Run:
    """Run `cmd` to completion: wall time, CPU time (user + system, which other load on the machine
    barely changes) and the child's own peak RSS (ru_maxrss, KiB on Linux)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log.with_suffix(".out"), "w+b") as out, open(log.with_suffix(".err"), "w+b") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=cwd, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode,
                   out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"))


def gongkai(*args: str) -> list[str]:
    return [PY, "-m", "gongkai.cli", *args]


def git_commit() -> str:
    try:
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=30)
        return head.stdout.strip() + ("+uncommitted" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


# ---------------------------------------------------------------- frictionless
def write_datapackage(portal: Path, out: Path) -> Path:
    """The generated CSVs with gongkai's standard schemas as a Frictionless Data Package."""
    out.mkdir(parents=True, exist_ok=True)
    present = {p.stem for p in (portal / "datasets").glob("*.csv")}
    index = json.loads((generate.SCHEMAS / "index.json").read_text("utf-8"))
    resources = []
    for entry in index["resources"]:
        name = entry["name"]
        if name not in present:
            continue
        shutil.copy2(portal / "datasets" / f"{name}.csv", out / f"{name}.csv")
        schema = json.loads((generate.SCHEMAS / entry["schema"]).read_text("utf-8"))
        schema = {k: v for k, v in schema.items() if k in ("fields", "primaryKey", "foreignKeys", "missingValues")}
        schema["fields"] = [{k: v for k, v in f.items() if not k.startswith("x-")} for f in schema["fields"]]
        keys = []
        for fk in schema.get("foreignKeys", []):
            target = fk["reference"].get("resource") or name
            if target != name and target not in present:
                continue  # a foreign key to an absent optional resource
            keys.append({**fk, "reference": {**fk["reference"], "resource": "" if target == name else target}})
        schema["foreignKeys"] = keys
        resources.append({"name": name, "path": f"{name}.csv", "format": "csv", "encoding": "utf-8", "schema": schema})
    path = out / "datapackage.json"
    path.write_text(json.dumps({"name": "gongkai-benchmark", "resources": resources}, ensure_ascii=False, indent=1), "utf-8")
    return path


def frictionless_summary(run: Run) -> dict:
    try:
        report = json.loads(run.stdout)
    except ValueError:
        return {"valid": None, "note": run.stderr.strip()[-300:]}
    errors = [e for task in report.get("tasks", []) for e in task.get("errors", [])]
    types: dict[str, int] = {}
    for e in errors + report.get("errors", []):
        types[e.get("type", "?")] = types.get(e.get("type", "?"), 0) + 1
    return {"valid": report.get("valid"), "error_types": types}


def gongkai_summary(run: Run) -> dict:
    try:
        report = json.loads(run.stdout)
        return {"valid": report.get("valid"), "errors": len(report.get("errors", [])), "warnings": len(report.get("warnings", []))}
    except ValueError:
        return {"valid": None, "note": (run.stderr or run.stdout).strip()[-300:]}


# ---------------------------------------------------------------- site statistics
def site_stats(site: Path) -> dict:
    files = [p for p in site.rglob("*") if p.is_file()]
    pages = [p for p in files if p.suffix == ".html" and p.name != "404.html"]
    return {"pages": len(pages), "files": len(files), "mb": round(sum(p.stat().st_size for p in files) / 2**20, 2),
            "html_mb": round(sum(p.stat().st_size for p in pages) / 2**20, 2)}


_ARTICLE = re.compile(r'<article class="md-content__inner[^"]*">(.*?)</article>', re.S)
_TAG = re.compile(r"<[^>]+>")


def page_shape(site: Path) -> dict:
    """Mean visible characters and table rows per page body, to size the plain-MkDocs baseline."""
    chars = rows = count = 0
    for page in site.rglob("*.html"):
        if page.name == "404.html":
            continue
        match = _ARTICLE.search(page.read_text("utf-8", "replace"))
        if not match:
            continue
        body = match.group(1)
        rows += body.count("<tr")
        chars += len(re.sub(r"\s+", "", _TAG.sub("", body)))
        count += 1
    count = max(1, count)
    return {"chars": round(chars / count), "table_rows": round(rows / count)}


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str]] = []
        self.config = ""
        self._in_config = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        rel = (a.get("rel") or "").lower().split()
        if tag == "link" and a.get("href") and ("stylesheet" in rel or "icon" in rel):
            self.refs.append(("stylesheet" if "stylesheet" in rel else "icon", a["href"]))
        elif tag == "script" and a.get("src"):
            self.refs.append(("script", a["src"]))
        elif tag == "img" and a.get("src"):
            self.refs.append(("img", a["src"]))
        self._in_config = tag == "script" and a.get("id") == "__config"

    def handle_data(self, data):
        if self._in_config:
            self.config += data

    def handle_endtag(self, tag):
        self._in_config = False


def _local(site: Path, ref: str) -> Path | None:
    if re.match(r"^[a-z]+:|^//", ref):
        return None
    path = (site / ref.split("#")[0].split("?")[0].lstrip("/")).resolve()
    return path if path.is_file() else None


def _sizes(paths: list[Path]) -> dict:
    raw = sum(p.stat().st_size for p in paths)
    gz = sum(len(gzip.compress(p.read_bytes(), 9, mtime=0)) for p in paths)
    return {"requests": len(paths), "kb": round(raw / 1024, 1), "kb_gzip": round(gz / 1024, 1)}


def first_visit(site: Path) -> dict:
    """What a phone downloads on a first visit to the home page, before touching search."""
    home = site / "index.html"
    parser = _Refs()
    parser.feed(home.read_text("utf-8"))
    eager, external = [home], []
    for _, ref in parser.refs:
        path = _local(site, ref)
        if path is None:
            external.append(ref)
        elif path not in eager:
            eager.append(path)
    return {"eager": _sizes(eager), "external_requests": external, "total_on_load": _sizes(eager)}


# ---------------------------------------------------------------- serve: edit one row, wait for the page
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, timeout: float) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 - 127.0.0.1 only
            return resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, ""
    except (urllib.error.URLError, OSError, TimeoutError):
        return 0, ""


def edit_project_title(portal: Path, project_id: str, new_title: str) -> str:
    path = portal / "datasets" / "projects.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, rows = reader.fieldnames, list(reader)
    old = ""
    for row in rows:
        if row["id"] == project_id:
            old, row["title"] = row["title"], new_title
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")  # in place, as a spreadsheet save would
    return old


def serve_edit(portal: Path, logs: Path, start_timeout: float, rebuild_timeout: float) -> dict:
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    with open(logs / "serve.out", "wb") as out, open(logs / "serve.err", "wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(gongkai("serve", str(portal), "--dev-addr", f"127.0.0.1:{port}", "--today", TODAY),
                                stdout=out, stderr=err, start_new_session=True)
        result: dict = {"port": port}
        try:
            result.update(_serve_session(proc, base, portal, t0, start_timeout, rebuild_timeout))
        finally:
            result["peak_mb"] = round(_stop(proc) / 1024, 1)
    return result


def _serve_session(proc, base: str, portal: Path, t0: float, start_timeout: float, rebuild_timeout: float) -> dict:
    deadline = t0 + start_timeout
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            return {"error": f"gongkai serve exited with {proc.returncode} before answering"}
        status, _ = fetch(base, timeout=5)
        if status == 200:
            break
        time.sleep(0.5)
    else:
        return {"error": f"home page did not answer within {start_timeout:.0f} s"}
    result = {"first_build_s": round(time.perf_counter() - t0, 2)}
    rebuild_timeout = max(rebuild_timeout, 4 * result["first_build_s"])  # a busy machine slows every rebuild
    project_id, old_title = _first_project(portal)
    url = _page_showing(base, project_id, old_title)
    new_title = old_title + "（基准测试改名）"
    start = time.perf_counter()
    edit_project_title(portal, project_id, new_title)
    limit = start + rebuild_timeout
    while time.perf_counter() < limit:
        if url:
            code, html = fetch(url, timeout=max(5, limit - time.perf_counter()))
            if code == 200 and new_title in html:
                result.update(edit_to_page_s=round(time.perf_counter() - start, 2), page=url.replace(base, "/"))
                break
        else:
            result["note"] = "no page shows project titles yet; not measured"
            break
        time.sleep(0.2)
    else:
        result["error"] = f"the edited title did not appear within {rebuild_timeout:.0f} s"
    edit_project_title(portal, project_id, old_title)
    if url:
        result.update(_content_edit(base, portal, url, new_title, rebuild_timeout))
    return result


def _content_edit(base: str, portal: Path, undone: str, edited: str, rebuild_timeout: float) -> dict:
    """Append a line to content/about.md once the rebuild that undoes the data edit is over (its page
    no longer shows the `edited` title, and a little longer for its checks); wait for /about/."""
    about = portal / "content" / "about.md"
    original = about.read_text(encoding="utf-8")
    limit = time.perf_counter() + rebuild_timeout
    while time.perf_counter() < limit and edited in fetch(undone, timeout=60)[1]:
        time.sleep(0.5)
    time.sleep(10)  # the undo's output check and search index come after its pages
    marker = f"基准测试的页面修改 {time.time_ns()}"
    start = time.perf_counter()
    about.write_text(original + f"\n\n{marker}\n", encoding="utf-8")
    try:
        limit = start + rebuild_timeout
        while time.perf_counter() < limit:
            code, html = fetch(base + "about/", timeout=max(5, limit - time.perf_counter()))
            if code == 200 and marker in html:
                return {"content_edit_to_page_s": round(time.perf_counter() - start, 2)}
            time.sleep(0.2)
        return {"content_error": f"the edited page did not show the edit within {rebuild_timeout:.0f} s"}
    finally:
        about.write_text(original, encoding="utf-8")


def _first_project(portal: Path) -> tuple[str, str]:
    with open(portal / "datasets" / "projects.csv", encoding="utf-8", newline="") as fh:
        row = next(csv.DictReader(fh))
    return row["id"], row["title"]


def _page_showing(base: str, project_id: str, title: str) -> str | None:
    """The project's own page, else the first index page that shows its title."""
    for path in (f"projects/{project_id}/", "projects/", ""):
        code, html = fetch(base + path, timeout=60)
        if code == 200 and title in html:
            return base + path
    return None


def _stop(proc: subprocess.Popen) -> int:
    """Stop the serve process group we started; return its peak RSS in KiB."""
    for sig, wait in ((signal.SIGINT, 10), (signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        limit = time.time() + wait
        while time.time() < limit:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                proc.returncode = os.waitstatus_to_exitcode(status)
                return usage.ru_maxrss
            time.sleep(0.2)
    return 0


# ---------------------------------------------------------------- profile
def profile_build(portal: Path, work: Path, top: int = 15) -> dict:
    prof = work / "build.prof"
    run = measure([PY, "-m", "cProfile", "-o", str(prof), "-m", "gongkai.cli", "build", str(portal),
                   "--site-dir", str(work / "site-profiled"), "--today", TODAY], work / "logs" / "profile")
    if not prof.exists():
        return {"error": run.stderr[-300:]}
    return {"wall_s": round(run.seconds, 2), "file": str(prof), **summarize_profile(prof, top)}


_WRAPPERS = ("<frozen runpy>", "<string>", "builtins.exec", "gongkai/cli.py")
STAGES = [  # (label, file suffix, function name)
    ("validate + model", "gongkai/core.py", "validated"),
    ("page generation (all register_pages)", "gongkai/core.py", "pages"),
    ("files (all register_files)", "gongkai/core.py", "files"),
    ("MkDocs: render every page (_build_page)", "mkdocs/commands/build.py", "_build_page"),
    ("  Material search: index each page", "material/plugins/search/plugin.py", "on_page_context"),
    ("  Jinja2 theme templates", "jinja2/environment.py", "render"),
    ("Material search: write index", "material/plugins/search/plugin.py", "on_post_build"),
    ("post-build site checks (all check_site)", "gongkai/core.py", "check_site"),
]


def summarize_profile(prof: Path, top: int = 15) -> dict:
    """Top entries by cumulative and own time, and the time of each build stage and plugin hook."""
    stats = pstats.Stats(str(prof), stream=io.StringIO()).stats  # type: ignore[attr-defined]
    rows = []
    for (file, line, func), (_, calls, own, cum, _) in stats.items():
        name = f"{_short(file)}:{line}({func})"
        rows.append({"function": name, "calls": calls, "tottime": round(own, 2), "cumtime": round(cum, 2),
                     "_file": file, "_func": func})
    cumulative = [r for r in sorted(rows, key=lambda r: -r["cumtime"]) if not any(w in r["function"] for w in _WRAPPERS)]
    stages = {}
    for label, suffix, func in STAGES:
        hits = [r["cumtime"] for r in rows if r["_file"].endswith(suffix) and r["_func"] == func]
        stages[label] = round(max(hits), 2) if hits else None
    hooks = {f"{Path(r['_file']).stem}.{r['_func']}": r["cumtime"] for r in rows
             if "/plugins/" in r["_file"] and "site-packages" not in r["_file"]
             and r["_func"] in ("register_pages", "register_files", "register_assets", "check_site", "extend_portal")}
    clean = [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows]
    return {"total_s": round(max(r["cumtime"] for r in rows), 2), "stages": stages,
            "plugin_hooks": dict(sorted(hooks.items(), key=lambda kv: -kv[1])[:12]),
            "top_cumulative": [{k: v for k, v in r.items() if not k.startswith("_")} for r in cumulative[:top]],
            "top_own": sorted(clean, key=lambda r: -r["tottime"])[:top]}


def _short(file: str) -> str:
    for marker in ("site-packages/", "/work/main/"):
        if marker in file:
            return file.split(marker, 1)[1]
    return re.sub(r"^.*/python3\.\d+/", "", file)


# ---------------------------------------------------------------- main
def benchmark(scale: float, work: Path, skip_serve: bool, skip_baseline: bool, profile: bool, skip_search: bool = False,
              before_python: str | None = None) -> dict:
    portal, logs = work / "portal", work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    res: dict = {"scale": scale, "commit": git_commit(), "today": TODAY, "python": platform.python_version(),
                 "cpus": os.cpu_count(), "machine": platform.machine(),
                 "load_before": [round(x, 1) for x in os.getloadavg()]}
    t = time.perf_counter()
    res["rows"] = generate.generate(scale, portal)
    res["generate_s"] = round(time.perf_counter() - t, 2)
    res["data_mb"] = round(sum(p.stat().st_size for p in (portal / "datasets").glob("*")) / 2**20, 2)
    step("validate (cold)")
    shutil.rmtree(portal / ".cache", ignore_errors=True)
    cold = measure(gongkai("validate", str(portal), "--today", TODAY, "--format", "json"), logs / "validate1")
    res["validate"] = {**cold.brief(), **gongkai_summary(cold)}
    step("validate (unchanged)")
    warm = measure(gongkai("validate", str(portal), "--today", TODAY, "--format", "json"), logs / "validate2")
    res["validate_again"] = {**warm.brief(), **gongkai_summary(warm)}
    step("frictionless validate")
    package = write_datapackage(portal, work / "frictionless")
    fl = measure([PY, "-m", "frictionless", "validate", str(package), "--json"], logs / "frictionless")
    res["frictionless"] = {**fl.brief(), **frictionless_summary(fl)}
    step("gongkai build")
    shutil.rmtree(portal / ".cache", ignore_errors=True)
    site = work / "site"
    build = measure(gongkai("build", str(portal), "--site-dir", str(site), "--today", TODAY), logs / "build")
    res["build"] = build.brief()
    if build.returncode != 0 or not site.is_dir():
        res["build"]["error"] = (build.stderr or build.stdout).strip()[-800:]
        return res
    res["site"] = site_stats(site)
    res["first_visit"] = first_visit(site)
    res["page_shape"] = shape = page_shape(site)
    if not skip_baseline:
        step("plain MkDocs baseline")
        config = plain_mkdocs.write_baseline(work / "plain", res["site"]["pages"], shape["chars"], shape["table_rows"])
        plain = measure([PY, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(work / "plain" / "site")], logs / "plain")
        res["plain_mkdocs"] = {**plain.brief(), **site_stats(work / "plain" / "site"), "page_shape": page_shape(work / "plain" / "site")}
    if not skip_search:
        step("search, as a resident (Chromium, 375 px)")
        res["search"] = {"index": search_resident.index_seconds(site), "resident": search_resident.measure(site, portal)}
    if before_python:
        step("gongkai build with the earlier gongkai")
        earlier = measure([before_python, "-m", "gongkai.cli", "build", str(portal), "--site-dir", str(work / "site-before"),
                           "--today", TODAY], logs / "build-before", cwd=work)
        res["build_before"] = {**earlier.brief(), "python": before_python}
    if not skip_serve:
        step("gongkai serve: edit one row")
        res["serve"] = serve_edit(portal, logs, start_timeout=max(300, 3000 * scale), rebuild_timeout=120)
    if profile:
        step("profiled build")
        shutil.rmtree(portal / ".cache", ignore_errors=True)
        res["profile"] = profile_build(portal, work)
    res["ratios"] = ratios(res)
    res["load_after"] = [round(x, 1) for x in os.getloadavg()]
    return res


def ratios(res: dict) -> dict:
    """Each target ratio on wall-clock seconds and on CPU seconds (the fairer one on a busy machine)."""
    def ratio(a: dict, b: dict | None, key: str):
        return round(a[key] / b[key], 2) if b and a.get(key) and b.get(key) else None

    pairs = {"build_vs_plain_mkdocs": (res["build"], res.get("plain_mkdocs")),
             "build_vs_before": (res["build"], res.get("build_before")),
             "validate_vs_frictionless": (res["validate"], res["frictionless"]),
             "validate_again_vs_first": (res["validate_again"], res["validate"])}
    return {name: {"wall": ratio(a, b, "seconds"), "cpu": ratio(a, b, "cpu_s")} for name, (a, b) in pairs.items()}


def step(name: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {name} …", file=sys.stderr, flush=True)


def table(res: dict) -> str:
    site, fv, plain = res.get("site", {}), res.get("first_visit", {}), res.get("plain_mkdocs", {})
    ra, serve = res.get("ratios", {}), res.get("serve", {})
    lines = [
        f"gongkai benchmark — scale {res['scale']} — commit {res['commit']} — {res['cpus']} CPUs, Python {res['python']}",
        f"rows: " + ", ".join(f"{k} {v}" for k, v in res["rows"].items()) + f"  ({res['data_mb']} MB CSV)",
        f"load average before / after: {res.get('load_before')} / {res.get('load_after')}",
        "",
        f"{'measure':<44}{'value':>16}  comparison (ratios: wall / CPU)",
        f"{'-' * 44}{'-' * 16}  {'-' * 30}",
    ]

    def row(name, value, comparison=""):
        lines.append(f"{name:<44}{value:>16}  {comparison}")

    def secs(r: dict | None) -> str:
        return f"{r['seconds']} / {r['cpu_s']}" if r else "—"

    def rat(name: str) -> str:
        r = ra.get(name) or {}
        return f"{r.get('wall')} / {r.get('cpu')}"

    row("pages (HTML files, without 404)", site.get("pages", "—"), f"plain MkDocs: {plain.get('pages', '—')}")
    row("gongkai validate, first run (wall / CPU s)", secs(res["validate"]),
        f"frictionless validate: {secs(res['frictionless'])} s → ratio {rat('validate_vs_frictionless')}")
    row("gongkai validate, unchanged (wall / CPU s)", secs(res["validate_again"]), f"ratio to first run {rat('validate_again_vs_first')}")
    row("validate peak memory (MB)", res["validate"]["peak_mb"], f"frictionless: {res['frictionless']['peak_mb']} MB")
    row("gongkai build (wall / CPU s)", secs(res["build"]),
        f"plain MkDocs: {secs(plain or None)} s → ratio {rat('build_vs_plain_mkdocs')}")
    row("build peak memory (MB)", res["build"]["peak_mb"], f"plain MkDocs: {plain.get('peak_mb', '—')} MB")
    if res.get("build_before"):
        row("earlier gongkai's build (wall / CPU s)", secs(res["build_before"]),
            f"ratio now / earlier {rat('build_vs_before')}, peak {res['build_before']['peak_mb']} MB")
    row("output (MB / files)", f"{site.get('mb', '—')} / {site.get('files', '—')}",
        f"plain MkDocs: {plain.get('mb', '—')} MB / {plain.get('files', '—')}")
    if fv:
        total = fv["total_on_load"]
        row("home first visit, all on load (KB / gzip)", f"{total['kb']} / {total['kb_gzip']}", f"{total['requests']} requests")
    search = res.get("search") or {}
    if search:
        index, resident = search["index"], search["resident"]
        row("search index: time to make (s)", index["seconds"], f"{index['files']} files, {index['mb']} MB, {index['mb_gzip']} MB gzip")
        for q in resident["queries"]:
            row(f"search '{q['text'][:12]}' {q['typed']} (s / KB gz)", f"{q['seconds']} / {q['kb_gzip']}",
                f"{q['query']}; listed {q['listed']}, box holds it {q['held']}, {q['requests']} requests")
    if serve:
        row("serve: first build until home answers (s)", serve.get("first_build_s", "—"), f"peak {serve.get('peak_mb', '—')} MB")
        row("serve: edit one CSV row → page updated (s)", serve.get("edit_to_page_s", "—"),
            serve.get("page") or serve.get("error") or serve.get("note", ""))
        row("serve: edit content/about.md → page updated (s)", serve.get("content_edit_to_page_s", "—"),
            serve.get("content_error", "/about/"))
    row("validity (gongkai / frictionless)", f"{res['validate'].get('valid')} / {res['frictionless'].get('valid')}",
        f"gongkai errors {res['validate'].get('errors')}, warnings {res['validate'].get('warnings')}")
    prof = res.get("profile") or {}
    if prof.get("stages"):
        lines += ["", f"profiled build (cProfile, {prof['total_s']} s profiled; overhead inflates Python-heavy parts):"]
        lines += [f"  {label:<44}{value if value is not None else '—':>9} s" for label, value in prof["stages"].items()]
        lines += [f"  plugin {name:<37}{value:>9} s" for name, value in prof["plugin_hooks"].items()]
        lines += ["  top cumulative:"] + [f"  {e['cumtime']:>9.2f} s cum {e['tottime']:>8.2f} s own  {e['function']}"
                                          for e in prof["top_cumulative"]]
    return "\n".join(lines)


def markdown(results: list[dict]) -> str:
    """One Markdown table, a column per results.json: what benchmarks/README.md shows."""
    def get(res, *path):
        for key in path:
            res = res.get(key) if isinstance(res, dict) else None
        return "—" if res is None else res

    def pair(res, what):
        return f"{get(res, what, 'seconds')} / {get(res, what, 'cpu_s')}"

    def ratio(res, name):
        return f"{get(res, 'ratios', name, 'wall')} / {get(res, 'ratios', name, 'cpu')}"

    def kb(res, what):
        return f"{get(res, 'first_visit', what, 'kb')} / {get(res, 'first_visit', what, 'kb_gzip')}"

    rows = [
        ("commit measured", lambda r: f"`{r['commit']}`"),
        ("load average before → after (1 min)", lambda r: f"{get(r, 'load_before')[0]} → {get(r, 'load_after')[0]}"),
        ("rows: projects / needs / evaluations / units", lambda r: " / ".join(str(get(r, "rows", k)) for k in ("projects", "needs", "evaluations", "units"))),
        ("CSV data (MB)", lambda r: r["data_mb"]),
        ("pages (HTML, without 404)", lambda r: get(r, "site", "pages")),
        ("`gongkai validate`, first run (wall / CPU s)", lambda r: pair(r, "validate")),
        ("`frictionless validate` (wall / CPU s)", lambda r: pair(r, "frictionless")),
        ("→ ratio validate / frictionless (wall / CPU)", lambda r: ratio(r, "validate_vs_frictionless")),
        ("`gongkai validate`, unchanged files (wall / CPU s)", lambda r: pair(r, "validate_again")),
        ("→ ratio second / first run (wall / CPU)", lambda r: ratio(r, "validate_again_vs_first")),
        ("peak memory validate / frictionless (MB)", lambda r: f"{get(r, 'validate', 'peak_mb')} / {get(r, 'frictionless', 'peak_mb')}"),
        ("`gongkai build` (wall / CPU s)", lambda r: pair(r, "build")),
        ("plain MkDocs, same page count (wall / CPU s)", lambda r: pair(r, "plain_mkdocs")),
        ("→ ratio build / plain MkDocs (wall / CPU)", lambda r: ratio(r, "build_vs_plain_mkdocs")),
        ("peak memory build / plain MkDocs (MB)", lambda r: f"{get(r, 'build', 'peak_mb')} / {get(r, 'plain_mkdocs', 'peak_mb')}"),
        ("output MB / files", lambda r: f"{get(r, 'site', 'mb')} / {get(r, 'site', 'files')}"),
        ("plain MkDocs output MB / files", lambda r: f"{get(r, 'plain_mkdocs', 'mb')} / {get(r, 'plain_mkdocs', 'files')}"),
        ("visible chars / table rows per page (gongkai · plain)", lambda r: f"{get(r, 'page_shape', 'chars')} / {get(r, 'page_shape', 'table_rows')} · "
                                                                          f"{get(r, 'plain_mkdocs', 'page_shape', 'chars')} / {get(r, 'plain_mkdocs', 'page_shape', 'table_rows')}"),
        ("home page first visit: requests", lambda r: get(r, "first_visit", "total_on_load", "requests")),
        ("home page first visit, on load (KB / KB gzip)", lambda r: kb(r, "total_on_load")),
        ("earlier gongkai's build, same run (wall / CPU s)", lambda r: pair(r, "build_before")),
        ("→ ratio build now / earlier (wall / CPU)", lambda r: ratio(r, "build_vs_before")),
        ("search index: time to make (s) / files / MB gzip", lambda r: f"{get(r, 'search', 'index', 'seconds')} / "
                                                                     f"{get(r, 'search', 'index', 'files')} / {get(r, 'search', 'index', 'mb_gzip')}"),
        ("first search, slowest query: s until the target is listed", lambda r: get(r, "search", "resident", "worst_seconds")),
        ("first search, most fetched for a query (KB gzip)", lambda r: get(r, "search", "resident", "worst_kb_gzip")),
        ("every target listed / box always holds what was typed", lambda r: f"{get(r, 'search', 'resident', 'all_listed')} / "
                                                                             f"{get(r, 'search', 'resident', 'all_held')}"),
        ("`gongkai serve`: start until home page answers (s)", lambda r: get(r, "serve", "first_build_s")),
        ("`gongkai serve`: edit one CSV row → page shows it (s)", lambda r: get(r, "serve", "edit_to_page_s")),
        ("`gongkai serve`: edit a content/ page → page shows it (s)", lambda r: get(r, "serve", "content_edit_to_page_s")),
        ("`gongkai serve` peak memory (MB)", lambda r: get(r, "serve", "peak_mb")),
    ]
    head = "| measure | " + " | ".join(f"scale {r['scale']:g}" for r in results) + " |"
    lines = [head, "|---|" + "---:|" * len(results)]
    lines += [f"| {name} | " + " | ".join(str(cell(r)) for r in results) + " |" for name, cell in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark gongkai at district scale (issue 7).")
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep it (portal, sites, logs, results.json)")
    parser.add_argument("--skip-serve", action="store_true", help="do not measure the gongkai serve edit loop")
    parser.add_argument("--skip-baseline", action="store_true", help="do not build the plain MkDocs baseline")
    parser.add_argument("--profile", action="store_true", help="also run one build under cProfile (top 15 cumulative)")
    parser.add_argument("--skip-search", action="store_true", help="do not measure search in Chromium")
    parser.add_argument("--before-python", metavar="PYTHON",
                        help="also build with the gongkai installed for this interpreter (an earlier commit), same run")
    parser.add_argument("--markdown", nargs="+", metavar="RESULTS_JSON",
                        help="only print a Markdown table of earlier runs' results.json files, one column each")
    args = parser.parse_args(argv)
    if args.markdown:
        print(markdown([json.loads(Path(f).read_text("utf-8")) for f in args.markdown]))
        return 0
    work = Path(args.keep).resolve() if args.keep else Path(tempfile.mkdtemp(prefix="gongkai-bench-"))
    if args.keep and work.exists():
        for sub in ("site", "site-before", "plain", "site-profiled", "frictionless", "logs"):
            shutil.rmtree(work / sub, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    try:
        res = benchmark(args.scale, work, args.skip_serve, args.skip_baseline, args.profile, args.skip_search,
                        args.before_python)
        (work / "results.json").write_text(json.dumps(res, ensure_ascii=False, indent=1), encoding="utf-8")
        print(table(res) if "site" in res else f"build failed:\n{res['build'].get('error')}")
        print()
        print(json.dumps(res, ensure_ascii=False, indent=1))
        return 0 if "site" in res else 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
