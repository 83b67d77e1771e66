"""What history adds to a warm build, timed where it is spent (issue 15): on a machine whose speed
drifts by more than a second between two builds, the difference of two wall-clock builds cannot
show whether it is under a second, so this times, inside one warm build, every piece of work that
exists only because of history, and the collector's time, beside the same build of the portal
without git.

    python benchmarks/history.py --portal /tmp/bench/portal --commits 1000 --work /tmp/bench/history
    python benchmarks/history_warm.py --work /tmp/bench/history --rounds 2

`--work` is history.py's folder (its `repo`, the portal with 1,000 commits, and `plain`, the same
portal without git). Each round builds `repo` then `plain`, each in a fresh process, after one build
of each to make the caches warm. Printed per build: loading the history (`Session.history`), the
changes page and tombstones (`changes.register_pages`), the 修订记录 of the entity and period pages
(`revision_log`, `period_log`, `page_log`), /data/changes.json (`History.kept`), the feeds (made
with or without history: compare), the post-build checks, the garbage collector, the wall time.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

TODAY = "2026-11-25"
CHILD = r'''
import functools, gc, sys, time
from collections import defaultdict
from pathlib import Path
T = defaultdict(float)
def timed(name, fn):
    @functools.wraps(fn)
    def wrap(*a, **k):
        t = time.perf_counter()
        try:
            return fn(*a, **k)
        finally:
            T[name] += time.perf_counter() - t
    return wrap
G = [0.0, 0.0]
def collected(phase, info):
    if phase == "start":
        G[1] = time.perf_counter()
    else:
        G[0] += time.perf_counter() - G[1]
gc.callbacks.append(collected)
import gongkai.data.history as history
import gongkai.session as session
for name in ("revision_log", "page_log", "period_log"):
    setattr(session, name, timed(name, getattr(session, name)))
history.History.kept = timed("History.kept", history.History.kept)
prop = functools.cached_property(timed("Session.history", session.Session.history.func))
prop.__set_name__(session.Session, "history")
session.Session.history = prop
session.Session.check_site = timed("checks after rendering", session.Session.check_site)
init = session.Session.__init__
def wrapped_init(self, *a, **k):
    init(self, *a, **k)
    for hook in ("register_pages", "register_files"):
        for impl in getattr(self.pm.hook, hook).get_hookimpls():
            plugin = impl.plugin_name.rsplit(".", 1)[-1]
            if plugin in ("changes", "feed"):
                impl.function = timed(f"{plugin}.{hook}", impl.function)
session.Session.__init__ = wrapped_init
from gongkai.bridge.build import build
started = time.perf_counter()
result = build(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3])
only = sum(v for k, v in T.items() if k not in ("checks after rendering", "feed.register_files"))
print(Path(sys.argv[1]).name, "ok" if result.ok else result.error, {k: round(v, 3) for k, v in sorted(T.items())},
      "history only:", round(only, 2), "s; collector:", round(G[0], 2), "s; wall:", round(time.perf_counter() - started, 1), "s")
'''


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, required=True, help="the --work folder of benchmarks/history.py")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    runs = [("warm-up", name) for name in ("repo", "plain")]
    runs += [(f"round {n + 1}", name) for n in range(args.rounds) for name in ("repo", "plain")]
    for label, name in runs:
        done = subprocess.run([sys.executable, "-c", CHILD, str(args.work / name), str(args.work / f"site-warm-{name}"), TODAY],
                              capture_output=True, text=True)
        print(label, done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-2000:], flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
