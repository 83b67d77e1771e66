"""Shared fixtures: real portals in tmp_path, real validation, real builds."""
from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from gongkai.bridge.build import build
from gongkai.data.resources import standard_resources
from gongkai.findings import Report
from gongkai.reports.text import format_report
from gongkai.scaffold import init_portal
from gongkai.session import open_session

REPO = Path(__file__).resolve().parent.parent
TODAY = "2026-11-25"

# Property-based tests: in CI the same examples every run (a red build is reproducible), with no
# example database; on a developer's machine, new examples each run.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def repo_root() -> Path:
    return REPO


@pytest.fixture(autouse=True)
def _stable_env(monkeypatch):
    """Tests choose the reference date explicitly; a developer's environment must not leak in."""
    for name in ("GONGKAI_TODAY", "SOURCE_DATE_EPOCH", "GONGKAI_TRACE_PLUGINS"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def portal(tmp_path) -> Path:
    """A fresh copy of the `gongkai init` sample portal (valid, every resource present)."""
    root = tmp_path / "portal"
    init_portal(root)
    return root


@pytest.fixture
def demo_copy(tmp_path) -> Path:
    """A copy of this repository's demo portal (site_config.yml, datasets/, content/)."""
    root = tmp_path / "demo"
    root.mkdir()
    shutil.copy2(REPO / "site_config.yml", root / "site_config.yml")
    shutil.copytree(REPO / "datasets", root / "datasets")
    shutil.copytree(REPO / "content", root / "content")
    return root


_EVERY_RESOURCE = standard_resources() + standard_resources(("registrations", "point_items", "services", "point_exchanges", "whistles"))
_TITLES = {r.name: {f["title"]: f["name"] for f in r.fields} for r in _EVERY_RESOURCE}


def read_rows(root: Path, resource: str) -> list[dict]:
    """The rows of datasets/<resource>.csv as dicts keyed by field name (headers may be Chinese)."""
    path = root / "datasets" / f"{resource}.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    names = _TITLES.get(resource, {})
    return [{names.get(k, k): v for k, v in row.items()} for row in rows]


def write_rows(root: Path, resource: str, rows: list[dict], fieldnames: list[str] | None = None) -> Path:
    """Write datasets/<resource>.csv with field names as headers (UTF-8)."""
    path = root / "datasets" / f"{resource}.csv"
    fieldnames = fieldnames or list(dict.fromkeys(k for row in rows for k in row))
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fieldnames)
        writer.writeheader()
        writer.writerows(rows)
    return path


def edit_line(root: Path, resource: str, line: int, **changes) -> None:
    """Change CSV line `line` (header = 1) of a resource, or append a row when it is the next line."""
    rows = read_rows(root, resource)
    if line == len(rows) + 2:
        rows.append({})
    rows[line - 2].update(changes)
    write_rows(root, resource, rows)


def finding(report: Report, expected: tuple, severity: str = "error"):
    """The finding whose (code, resource, row, field) is `expected`; fails the test listing the others."""
    found = report.errors if severity == "error" else report.warnings
    matches = [f for f in found if (f.code, f.resource, f.row, f.field) == expected]
    assert matches, f"{expected} not in {codes(report, severity)}"
    return matches[0]


def validate(root: Path, today: str = TODAY) -> Report:
    session = open_session(root, today)
    return session.report


def build_site(root: Path, today: str = TODAY, site_dir: Path | None = None) -> Path:
    """Build and return the site folder; fail the test with the findings when the build fails."""
    result = build(root, site_dir, today)
    if not result.ok:
        pytest.fail(f"build failed: {result.error or ''}\n{format_report(result.report)}")
    return result.site_dir


def codes(report: Report, severity: str = "error") -> list[tuple]:
    """(code, resource, row, field) of each finding: what tests assert on."""
    found = report.errors if severity == "error" else report.warnings
    return [(f.code, f.resource, f.row, f.field) for f in found]


def missing_tool(reason: str):
    """A test that needs a tool this machine lacks: skipped with the reason, but failed under CI=true,
    where .ci/run installs every tool (Chromium, Node.js, axe-core, fonts)."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must install it: see .ci/run)")
    pytest.skip(reason)
