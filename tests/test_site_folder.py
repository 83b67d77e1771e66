"""gongkai never deletes what it did not build: `--site-dir` may name only a missing or empty folder or
one gongkai built (it holds the marker); the portal and its own folders are refused with nothing
touched; temporary folders of builds still running are left alone, and two builds at once both finish."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TODAY, build_site

from gongkai.bridge import site_folder
from gongkai.bridge.site_folder import MARKER


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gongkai.cli", *args], capture_output=True, text=True, timeout=300,
                          cwd=cwd)


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder` (the .git folder too) with its content hash; gongkai's own validation
    cache, which any command may write, aside."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and ".cache" not in p.relative_to(folder).parts}


@pytest.fixture
def committed(portal):
    """The sample portal as a committed git repository, with a hand-written page and a plugin file."""
    (portal / "plugins" / "keep.py").write_text("# a portal plugin\n", encoding="utf-8")
    (portal / "templates").mkdir()
    (portal / "templates" / "keep.html").write_text("<p>override</p>\n", encoding="utf-8")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(git + ["init", "-q"], cwd=portal, check=True)
    subprocess.run(git + ["add", "."], cwd=portal, check=True)
    subprocess.run(git + ["commit", "-q", "-m", "portal"], cwd=portal, check=True)
    return portal


@pytest.mark.parametrize("target", [".", "datasets", "content", "plugins", "templates", ".git", "content/images",
                                    "datasets/new", "..", "../.."])
def test_a_portal_folder_is_refused_and_nothing_is_touched(committed, target):
    outside = committed.parent
    (outside / "unrelated.txt").write_text("someone else's file\n", encoding="utf-8")
    before = snapshot(outside)
    done = cli("build", str(committed), "--site-dir", str(committed / target), "--today", TODAY)
    assert done.returncode == 2, done.stderr
    assert "网站文件夹" in done.stderr and "网站已生成" not in done.stdout
    assert snapshot(outside) == before


def test_a_folder_gongkai_did_not_build_is_refused(committed, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("keep me\n", encoding="utf-8")
    done = cli("build", str(committed), "--site-dir", str(other), "--today", TODAY)
    assert done.returncode == 2
    assert MARKER in done.stderr and "不是 gongkai 生成的" in done.stderr
    assert (other / "notes.txt").read_text(encoding="utf-8") == "keep me\n"
    assert sorted(p.name for p in other.iterdir()) == ["notes.txt"]


def test_a_file_is_refused(committed, tmp_path):
    target = tmp_path / "a-file"
    target.write_text("x", encoding="utf-8")
    done = cli("build", str(committed), "--site-dir", str(target), "--today", TODAY)
    assert done.returncode == 2 and target.read_text(encoding="utf-8") == "x"


def test_a_link_to_the_portal_is_refused(committed, tmp_path):
    link = tmp_path / "link-to-portal"
    link.symlink_to(committed, target_is_directory=True)
    before = snapshot(committed)
    done = cli("build", str(committed), "--site-dir", str(link), "--today", TODAY)
    assert done.returncode == 2
    assert snapshot(committed) == before


@pytest.mark.parametrize("state", ["missing", "empty", "built"])
def test_missing_empty_and_built_folders_are_replaced(committed, tmp_path, state):
    target = tmp_path / "out"
    if state == "empty":
        target.mkdir()
    elif state == "built":
        build_site(committed, site_dir=target)
        (target / "stale.html").write_text("<p>from an older build</p>", encoding="utf-8")
    done = cli("build", str(committed), "--site-dir", str(target), "--today", TODAY)
    assert done.returncode == 0, done.stderr
    assert (target / "index.html").is_file() and (target / MARKER).is_file()
    assert not (target / "stale.html").exists()


def test_every_build_marks_its_folder_the_same_way(portal):
    site = build_site(portal)
    first = (site / MARKER).read_bytes()
    build_site(portal)
    assert (site / MARKER).read_bytes() == first


def test_plain_mkdocs_build_refuses_a_portal_folder(committed):
    before = snapshot(committed / "content")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-f", str(committed / "site_config.yml"),
                           "-d", str(committed / "content" / "out")], capture_output=True, text=True, timeout=300)
    assert done.returncode != 0
    assert snapshot(committed / "content") == before


def test_the_preview_cleans_only_a_folder_gongkai_built(tmp_path):
    mine, theirs = tmp_path / "mine", tmp_path / "theirs"
    mine.mkdir()
    site_folder.mark(mine)
    (mine / "old.html").write_text("x", encoding="utf-8")
    theirs.mkdir()
    (theirs / "notes.txt").write_text("keep", encoding="utf-8")
    site_folder.clean(mine)
    assert sorted(p.name for p in mine.iterdir()) == [MARKER]
    with pytest.raises(site_folder.SiteFolderError):
        site_folder.clean(theirs)
    assert (theirs / "notes.txt").read_text(encoding="utf-8") == "keep"


# ------------------------------------------------------------------ temporary folders


def test_a_running_builds_temporary_folder_is_left_alone(portal):
    site = portal / "site"
    running = portal / ".site.building-77-abcd"
    running.mkdir()
    (running / "index.html").write_text("being written", encoding="utf-8")
    lock = portal / ".site.lock-77-abcd"
    holder = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(lock)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        site_folder.remove_stale(site)
        assert (running / "index.html").read_text(encoding="utf-8") == "being written"
    finally:
        holder.kill()
        holder.wait()
    site_folder.remove_stale(site)  # its builder is gone now
    assert not running.exists() and not lock.exists()


def test_a_folder_with_a_building_name_but_no_lock_is_not_ours(portal):
    lookalike = portal / ".site.building-someone"
    lookalike.mkdir()
    (lookalike / "notes.txt").write_text("keep", encoding="utf-8")
    site_folder.remove_stale(portal / "site")
    assert (lookalike / "notes.txt").read_text(encoding="utf-8") == "keep"


LOCK_HOLDER = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(600)
"""


def test_two_builds_at_once_both_finish_with_one_builds_site(portal, tmp_path):
    reference = build_site(portal, site_dir=tmp_path / "reference")
    expected = snapshot(reference)
    runs = [subprocess.Popen([sys.executable, "-m", "gongkai.cli", "build", str(portal), "--today", TODAY],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=600) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert snapshot(portal / "site") == expected
    assert not list(portal.glob(".site.building-*")) and not list(portal.glob(".site.lock-*"))


def test_an_unwritable_site_is_a_chinese_error_and_leaves_nothing(portal):
    """As a staff member whose site/ is read-only: refused before building, nothing left behind. (Root
    ignores permission bits, so as root the folder is made immutable instead.)"""
    site = build_site(portal)
    before = snapshot(site)
    as_root = os.geteuid() == 0
    if as_root:
        subprocess.run(["chattr", "+i", str(site)], check=True)
    else:
        site.chmod(0o555)
    try:
        done = cli("build", str(portal), "--today", TODAY)
    finally:
        if as_root:
            subprocess.run(["chattr", "-i", str(site)], check=True)
        site.chmod(0o755)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "没有权限写入" in done.stderr
    assert snapshot(site) == before
    assert not list(portal.glob(".site.building-*")) and not list(portal.glob(".site.lock-*"))
