"""`gongkai init DIR`: a complete portal that builds at once, outside this repository, with CI
workflows that install exactly the gongkai that wrote them."""
from __future__ import annotations

import importlib.metadata
import json
import re
import shutil
import subprocess
from importlib import resources
from pathlib import Path
from urllib.parse import unquote, urlsplit

from gongkai.settings import ConfigError

#: scaffold names that become dot-files (package data leaves dot-files out)
DOT_NAMES = {"dot-github": ".github", "dot-gitlab-ci.yml": ".gitlab-ci.yml", "dot-gitignore": ".gitignore"}
#: where the workflows get the pip requirement of gongkai (one place in each file)
REQUIREMENT_SLOT = "__GONGKAI_REQUIREMENT__"
SCP_LIKE = re.compile(r"^(?P<user>[\w.-]+)@(?P<host>[\w.-]+):(?P<path>.+)$")  # git@github.com:owner/gongkai.git


def init_portal(target: Path) -> str | None:
    """Write the portal; returns a warning for staff when the workflows cannot install gongkai in CI."""
    if target.exists() and any(target.iterdir()):
        raise ConfigError(f"{target} 已存在且不是空文件夹。请换一个新文件夹名。", code="target-not-empty")
    requirement, reachable = install_requirement()
    source = Path(str(resources.files("gongkai") / "scaffold"))
    target.mkdir(parents=True, exist_ok=True)
    for item in sorted(source.iterdir()):
        if item.name == "__pycache__":
            continue
        dest = target / DOT_NAMES.get(item.name, item.name)
        if item.is_dir():
            shutil.copytree(item, dest, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(item, dest)
    for workflow in (target / ".github" / "workflows" / "portal.yml", target / ".gitlab-ci.yml"):
        text = workflow.read_text(encoding="utf-8")
        workflow.write_text(text.replace(REQUIREMENT_SLOT, json.dumps(requirement, ensure_ascii=False)), encoding="utf-8")
    (target / "plugins").mkdir(exist_ok=True)
    if reachable:
        return None
    return (f"注意：这个 gongkai 是从本机的 {requirement.partition(' @ ')[2]} 安装的，CI 无法从那里安装。"
            "推送前请把 .github/workflows/portal.yml 和 .gitlab-ci.yml 中 GONGKAI 一行改成 gongkai 的仓库地址，"
            "例如 \"gongkai @ git+https://gitee.com/某单位/gongkai@v0.1.0\"。")


def install_requirement() -> tuple[str, bool]:
    """The pip requirement of the gongkai running now, from where pip installed it (PEP 610
    direct_url.json: a git URL and commit, an archive, a local folder), else its index version; and
    whether a CI machine could install it."""
    dist = _distribution()
    direct = json.loads(dist.read_text("direct_url.json") or "null")
    if not direct:
        return f"gongkai=={dist.version}", True
    url = direct["url"]
    local = urlsplit(url).scheme == "file"
    if "vcs_info" in direct:
        vcs = direct["vcs_info"]
        return f"gongkai @ {vcs['vcs']}+{url}@{vcs['commit_id']}", not local
    if not local:
        return f"gongkai @ {url}", True
    folder = Path(unquote(urlsplit(url).path))
    remote = _git_source(folder) if folder.is_dir() else None
    return (f"gongkai @ {remote}", True) if remote else (f"gongkai @ {url}", False)


def _distribution() -> importlib.metadata.Distribution:
    """The installed gongkai (an egg-info folder in the current folder, as a source checkout has, is
    not where it came from)."""
    found = list(importlib.metadata.distributions(name="gongkai"))
    return next((d for d in found if d.read_text("direct_url.json")), None) or found[0]


def _git_source(folder: Path) -> str | None:
    """`git+<remote>@<commit>` of a checkout whose remote another machine can reach, else None."""
    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=30)
        return done.stdout.strip() if done.returncode == 0 else ""

    remote, commit = git("remote", "get-url", "origin"), git("rev-parse", "HEAD")
    scp = SCP_LIKE.match(remote)
    if scp:
        remote = f"ssh://{scp['user']}@{scp['host']}/{scp['path']}"
    if not commit or urlsplit(remote).scheme not in ("https", "http", "ssh", "git"):
        return None
    return f"git+{remote}@{commit}"
