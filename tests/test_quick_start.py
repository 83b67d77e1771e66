"""The README's quick start, run as a newcomer would: every command of its code block, in a fresh
folder, with `git init` making `master` or `main`, up to a push into a bare repository.

Two lines are not run as written: `pip install` (gongkai is already installed in this environment),
and `gongkai serve`, which runs in the background on a free port until it prints its address and
answers there, then is stopped."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import REPO


def quick_start_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Quick start"):]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    return [re.sub(r"\s+#\s.*$", "", line).strip() for line in block.splitlines() if line.strip()]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gongkai_env(tmp_path: Path, default_branch: str) -> dict:
    config = tmp_path / "gitconfig"
    config.write_text(f"[user]\n\tname = 社区工作者\n\temail = staff@example.org\n[init]\n\tdefaultBranch = {default_branch}\n",
                      encoding="utf-8")
    bindir = str(Path(sys.executable).parent)
    return {**os.environ, "GIT_CONFIG_GLOBAL": str(config), "GIT_CONFIG_NOSYSTEM": "1",
            "PATH": bindir + os.pathsep + os.environ.get("PATH", "")}


def check_serve(command: str, cwd: Path, env: dict) -> None:
    port = free_port()
    server = subprocess.Popen(command.split() + ["--dev-addr", f"127.0.0.1:{port}"], cwd=cwd, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        address = None
        while address is None and time.monotonic() < deadline and server.poll() is None:
            line = server.stdout.readline()
            found = re.search(r"预览地址：(\S+?)（", line)
            address = found.group(1) if found else None
        assert address == f"http://127.0.0.1:{port}/", "serve did not print its address"
        with urllib.request.urlopen(address, timeout=30) as response:
            assert "某某街道" in response.read().decode("utf-8")
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)
    assert "GET /" not in errors  # no line per request


@pytest.mark.parametrize("default_branch", ["master", "main"])
def test_the_readme_quick_start_works_up_to_a_push(tmp_path, default_branch):
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    work = tmp_path / "work"
    work.mkdir()
    env = gongkai_env(tmp_path, default_branch)
    commands = quick_start_commands()
    assert any("git push" in c for c in commands) and any(c.startswith("gongkai init") for c in commands)
    cwd = work
    for command in commands:
        command = command.replace("<your repository>", str(remote))
        if command.startswith("pip install"):
            continue
        if command.startswith("cd "):
            cwd = cwd / command[3:].strip()
            continue
        if command.startswith("gongkai serve"):
            check_serve(command, cwd, env)
            continue
        done = subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    branches = subprocess.run(["git", "--git-dir", str(remote), "branch", "--list"], capture_output=True, text=True).stdout
    assert branches.split() == ["main"]
    pushed = subprocess.run(["git", "--git-dir", str(remote), "ls-tree", "-r", "--name-only", "main"],
                            capture_output=True, text=True).stdout.split()
    assert {".github/workflows/portal.yml", ".gitlab-ci.yml", "site_config.yml", "datasets/projects.csv"} <= set(pushed)
    assert not any(name.startswith(("site/", "excel-templates/", ".cache/")) for name in pushed)
