"""The mutation check, run by hand: one small deliberate bug at a time, in a scratch copy of the
repository, then the test files that should notice it, under CI=true. A mutation that no test
notices is a rule the suite does not prove.

    python benchmarks/mutation.py            # all mutations; prints a table, exits 1 if one survived
    python benchmarks/mutation.py stars vote # only these

The scratch copy is the tracked files of this checkout (`git ls-files`) with `gongkai/plugins` linked
to `plugins/`, so that its tests import the mutated code, not the installed gongkai.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@dataclass
class Mutation:
    name: str
    file: str
    before: str  # must occur exactly once in the file
    after: str
    tests: tuple[str, ...]  # test files (or node ids) that should fail


MUTATIONS = [
    Mutation("red list at exactly 90", "gongkai/data/derived.py", "if ps.score >= red_min:", "if ps.score > red_min:",
             ("tests/test_edges.py",)),
    Mutation("black list below 60", "gongkai/data/derived.py", "if ps.score < black_below:",
             "if ps.score <= black_below:", ("tests/test_edges.py",)),
    Mutation("stars", "gongkai/data/derived.py", "if score >= limit), 0)", "if score > limit), 0)",
             ("tests/test_edges.py",)),
    Mutation("tied ranks (1, 2, 2, 4)", "gongkai/data/derived.py",
             "ps.rank = group[i - 1].rank if i and ps.score == group[i - 1].score else i + 1", "ps.rank = i + 1",
             ("tests/test_edges.py",)),
    Mutation("公示中 on its last day", "gongkai/data/derived.py", "return NOTICE_OPEN if today <= end else NOTICE_ENDED",
             "return NOTICE_OPEN if today < end else NOTICE_ENDED", ("tests/test_edges.py",)),
    Mutation("a tied vote", "gongkai/data/derived.py", "return votes[0] * 2 > sum(votes)",
             "return votes[0] * 2 >= sum(votes)", ("tests/test_edges.py",)),
    Mutation("overdue on the due date", "gongkai/data/derived.py", "due is not None and due < today",
             "due is not None and due <= today", ("tests/test_edges.py",)),
    Mutation("red card from the calendar-previous period", "gongkai/data/derived.py",
             'else f"{year - 1}-{kind}{last}"', 'else f"{year}-{kind}{last}"', ("tests/test_edges.py",)),
    Mutation("red card across a year end, by month", "gongkai/data/derived.py", 'else f"{year - 1}-12"',
             'else f"{year}-12"', ("tests/test_edges.py",)),
    Mutation("fallback swap: delete, then rename", "gongkai/bridge/site_folder.py",
             "        os.rename(final, old)\n        os.rename(new, final)\n        shutil.rmtree(old)",
             "        shutil.rmtree(final)\n        os.rename(new, final)",
             ("tests/test_safety.py::test_the_fallback_swap_killed_between_its_two_steps_is_undone_at_the_next_start",)),
    Mutation("the QR code's URL without its trailing /", "plugins/notices.py", '"qr": qr_svg(absolute(portal, page))',
             '"qr": qr_svg(absolute(portal, page).rstrip("/"))', ("tests/test_notices.py",)),
    Mutation("the shipped search.js: one character pair fewer", "plugins/assets/search.js",
             "for (var i = 0; i + 1 < word.length; i++)", "for (var i = 0; i + 2 < word.length; i++)",
             ("tests/test_search.py",)),
    Mutation("the shipped search.js: queries not NFKC-folded", "plugins/assets/search.js",
             'return String(text).normalize("NFKC").toLowerCase()', "return String(text).toLowerCase()",
             ("tests/test_search.py",)),
    Mutation("publish although the last check failed", "gongkai/bridge/adapter.py", "        if problems:\n",
             "        if problems and False:\n",
             ("tests/test_safety.py::test_a_site_the_last_check_refuses_is_not_published_even_with_new_data",
              "tests/test_hooks.py::test_hook_check_site")),
    Mutation("an early verdict kept for a page changed after rendering", "gongkai/site/checks.py",
             "if rel in reusable and stat.st_ctime < early.rendered - early.MARGIN:", "if rel in reusable:",
             ("tests/test_early_checks.py",)),
    Mutation("early verdicts kept though a link answer was wrong", "gongkai/site/checks.py",
             "        if wrong:\n", "        if wrong and False:\n", ("tests/test_early_checks.py",)),
    Mutation("the whole history's key without the shallow boundary", "gongkai/data/history.py",
             'hashlib.sha256(f"{walk.code}|{inputs_key}|{boundary}".encode())', 'hashlib.sha256(f"{walk.code}|{inputs_key}".encode())',
             ("tests/test_history.py::test_deepening_a_shallow_clone_is_not_hidden_by_the_history_cache",)),
    Mutation("a shallow clone's first commit cached as changeless", "gongkai/data/history.py",
             "kept = {c.sha for c in commits[1 if self.repo.shallow else 0:]}", "kept = {c.sha for c in commits}",
             ("tests/test_history.py::test_deepening_a_shallow_clone_is_not_hidden_by_the_history_cache",)),
    Mutation("preview: a kept verdict outlives the file its link led to", "gongkai/site/checks.py",
             "known.digest == _digest(site_dir / rel) and all(", "known.digest == _digest(site_dir / rel) and any((True,)) or all(",
             ("tests/test_early_checks.py",)),
    Mutation("preview: kept verdicts outlive a change of data or settings", "gongkai/site/checks.py",
             "        if key is None or key != self.key:\n", "        if key is None:\n", ("tests/test_early_checks.py",)),
    Mutation("preview: an unchanged page checked again", "gongkai/site/checks.py",
             "        findings += memo.kept(site_dir, sizes)", "        memo.kept(site_dir, dict(sizes))",
             ("tests/test_serve.py::test_a_page_written_again_unchanged_is_not_checked_again",)),
    Mutation("changes.json kept across a change of the history", "gongkai/data/history.py",
             'found = cache.load(folder, f"{key}|{name}", f"history-{name}.pickle")',
             'found = cache.load(folder, name, f"history-{name}.pickle")',
             ("tests/test_history.py::test_changes_json_is_kept_beside_the_history_and_never_stale",)),
    Mutation("line diff: a row written twice not noticed", "gongkai/data/history.py",
             "    if len(set(filled)) != len(filled):\n", "    if False:\n", ("tests/test_history_line_diff.py",)),
    Mutation("line diff: the next old line found inside a line of the new file", "gongkai/data/history.py",
             "found = new.find(old[end:after + 1], j - 1)", "found = new.find(old[end + 1:after + 1], j) - 1",
             ("tests/test_history_line_diff.py",)),
    Mutation("line diff: an added line's encoding not checked", "gongkai/data/history.py",
             "text = decode_line(line, previous.codec)", "text = line.decode(previous.codec, 'replace')",
             ("tests/test_history_line_diff.py",)),
    Mutation("history diff: rows outside the changed lines skipped wrongly", "gongkai/data/history.py",
             "keys = sorted(key for key in new.touched if before.get(key) != after.get(key))",
             "keys = sorted(new.touched)[:1]", ("tests/test_history_line_diff.py", "tests/test_history.py")),
    Mutation("personal-data scan: a gap of four taken for a stretch's inside", "gongkai/data/privacy.py",
             r"(?<!\d\D\D\D\d)(?:", r"(?<!\d\D\D\D\D\d)(?:", ("tests/test_privacy.py",)),
    Mutation("a build's kept verdicts: the files kept forgotten at the next store", "gongkai/site/checks.py",
             "                del sizes[rel]\n                self._seen.add(rel)", "                del sizes[rel]",
             ("tests/test_early_checks.py",)),
    Mutation("preview: full collections during a rebuild", "gongkai/bridge/serve.py",
             "            with young_collections_only():\n                yield", "            yield",
             ("tests/test_serve.py::test_a_rebuild_runs_no_full_collection",)),
    Mutation("build: full collections during a build", "gongkai/bridge/build.py",
             "    with young_collections_only():\n        return _build(", "    if True:\n        return _build(",
             ("tests/test_safety.py",)),
    Mutation("preview: the keys present in a table indexed on every validation", "gongkai/data/validation.py",
             "if table is not None and fields not in table.present:", "if table is not None:", ("tests/test_cache.py",)),
    Mutation("preview: a page's kept findings outlive a change of masking", "gongkai/site/content.py",
             "settings = repr((extensions, masking, sorted(public)))", "settings = repr((extensions, sorted(public)))",
             ("tests/test_hostile_content.py",)),
    Mutation("a period page's 修订记录 without its removed evaluations", "gongkai/site/revisions.py",
             'if c.resource == "evaluations" and c.kind != ADDED:', 'if c.resource == "evaluations" and c.kind == CHANGED:',
             ("tests/test_history.py",)),
    Mutation("preview: a hand-written page's new title left out of the other pages' nav", "gongkai/bridge/preview.py",
             "            raise NavChanged", "            pass", ("tests/test_serve.py",)),
    Mutation("preview: a page out of the nav with a new title writes every page", "gongkai/bridge/preview.py",
             "for uri, page in pages.items() if uri in in_nav)", "for uri, page in pages.items())", ("tests/test_serve.py",)),
    Mutation("preview: a hand-written page kept although a number it shows became public", "gongkai/bridge/adapter.py",
             "session.settings.masking, numbers, session.repository_state", "session.settings.masking, session.repository_state",
             ("tests/test_serve.py",)),
    Mutation("preview: the search text of the hand-written pages not read again dropped", "gongkai/bridge/adapter.py",
             "            elif kept.published is not None:", "            elif False:", ("tests/test_serve.py",)),
    Mutation("preview: the records a build pickled taken", "gongkai/session.py",
             "if key and self.table_memo is None else None", "if key else None",
             ("tests/test_serve.py::test_a_preview_of_a_portal_built_before_keeps_its_own_tables_and_model",)),
    Mutation("preview: each rebuild forks for the history", "gongkai/session.py",
             "and not (memo is not None and memo.tables):", ":",
             ("tests/test_serve.py::test_a_preview_rebuild_reads_the_history_in_process_and_stores_no_whole_history",)),
    Mutation("preview: the whole history stored on each rebuild", "gongkai/session.py",
             "store=not self.preview)", "store=True)",
             ("tests/test_serve.py::test_a_preview_rebuild_reads_the_history_in_process_and_stores_no_whole_history",)),
    Mutation("preview: site_config.yml read with the collector running", "gongkai/bridge/serve.py",
             "        with self.collector.paused():  # reading",
             "        config = config or self.config()\n        with self.collector.paused():  # reading",
             ("tests/test_serve.py::test_a_preview_rebuild_leaves_what_it_kept_out_of_the_collector_and_collects_once_idle",)),
    Mutation("checks: the listing answers for a folder without its index page", "gongkai/site/checks.py",
             "return page in files or (not path.endswith(\"/\") and name in files)",
             "return page in files or name in files or any(f.startswith(name + \"/\") for f in files)",
             ("tests/test_early_checks.py",)),
    Mutation("feed: an entry kept from the last build though its title changed", "plugins/feed.py",
             'item["category"], item["title"], item["content"])', 'item["category"], item["content"])',
             ("tests/test_feed.py",)),
    Mutation("feed: the head's last line not indented for the entries", "plugins/feed.py",
             'root[-1].tail = "\\n  "  # the entries follow', 'root[-1].tail = "\\n"',
             ("tests/test_feed.py",)),
    Mutation("preview: the cell digests of a changed table kept", "gongkai/site/reads.py",
             "by_line = kept[1] if kept is not None and kept[0] == key else {}", "by_line = kept[1] if kept is not None else {}",
             ("tests/test_serve.py",)),
    Mutation("preview: cell digests kept by line for a table with two rows on one line", "gongkai/site/reads.py",
             "        if key and len(made) == len(records):  # each", "        if key:  # each",
             ("tests/test_serve.py::test_cell_digests_are_kept_by_line_only_for_a_table_whose_rows_each_have_a_line_of_their_own",)),
    Mutation("preview: the state of the plugin object, not of the builder", "gongkai/bridge/serve.py",
             "start(Session(config, self.today), preview=self.state)",
             "start(Session(config, self.today), preview=plugins[\"gongkai\"].preview)",
             ("tests/test_serve.py::test_a_full_build_in_the_same_process_leaves_the_preview_its_state",)),
    Mutation("preview: stops on invalid data after a build in the same process", "gongkai/bridge/adapter.py",
             '        self.command = "build" if preview is None else "serve"', "        pass",
             ("tests/test_serve.py::test_a_full_build_in_the_same_process_leaves_the_preview_its_state",)),
]


def scratch_copy() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="gongkai-mutation-")) / "repo"
    files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout.split(b"\0")
    for name in filter(None, files):
        source, target = REPO / os.fsdecode(name), folder / os.fsdecode(name)
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    (folder / "gongkai" / "plugins").symlink_to("../plugins")
    return folder


def run(mutation: Mutation, copy: Path) -> tuple[bool, float, str]:
    """(caught, seconds, the first failing test or else pytest's last line)."""
    target = copy / mutation.file
    original = target.read_text(encoding="utf-8")
    if original.count(mutation.before) != 1:
        raise SystemExit(f"{mutation.name}: the text to mutate occurs {original.count(mutation.before)} times in {mutation.file}")
    target.write_text(original.replace(mutation.before, mutation.after), encoding="utf-8")
    started = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *mutation.tests],
                              cwd=copy, capture_output=True, text=True, env={**os.environ, "CI": "true"}, timeout=1800)
    finally:
        target.write_text(original, encoding="utf-8")
    failed = [line.split(" - ")[0].removeprefix("FAILED ") for line in done.stdout.splitlines()
              if line.startswith("FAILED ")]
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if done.returncode not in (0, 1):  # 2-5: interrupted, internal or usage error, no test found: not a catch
        raise SystemExit(f"{mutation.name}: pytest could not run the tests (exit {done.returncode}): "
                         f"{(lines[-1:] or [done.stderr[-300:]])[0]}")
    return done.returncode != 0, time.perf_counter() - started, (failed or lines[-1:] or [done.stderr[-200:]])[0]


def main(names: list[str]) -> int:
    chosen = [m for m in MUTATIONS if not names or any(n.lower() in m.name.lower() for n in names)]
    copy = scratch_copy()
    try:
        clean = subprocess.run([sys.executable, "-c", "import gongkai, gongkai.plugins.notices as n; print(n.__file__)"],
                               cwd=copy, capture_output=True, text=True, check=True).stdout.strip()
        if not clean.startswith(str(copy)):
            raise SystemExit(f"the scratch copy imports {clean}, not its own code")
        print("| mutation | caught? | by | s |\n|---|---|---|---:|")
        survived = 0
        for mutation in chosen:
            caught, seconds, last = run(mutation, copy)
            survived += not caught
            print(f"| {mutation.name} (`{mutation.file}`) | {'yes' if caught else '**no**'} | {last} | {seconds:.0f} |",
                  flush=True)
        return 1 if survived else 0
    finally:
        shutil.rmtree(copy.parent, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
