"""What CI shows staff: GitHub annotations and job summary, GitLab Code Quality, the workflows
`gongkai init` writes, and the pre-commit hook."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml
from conftest import REPO, TODAY, read_rows, write_rows


def broken_units(portal):
    rows = read_rows(portal, "units")
    rows[0]["kind"] = "居委会"
    write_rows(portal, "units", rows)
    return list(rows[0]).index("kind")


def run(portal, fmt, **env):
    import os

    return subprocess.run([sys.executable, "-m", "gongkai.cli", "validate", str(portal), "--today", TODAY, "--format", fmt],
                          capture_output=True, text=True, env={**os.environ, **env}, timeout=120)


def test_github_format_annotates_the_line_with_the_rule_name_and_writes_the_job_summary(portal, tmp_path):
    column = broken_units(portal)
    summary = tmp_path / "summary.md"
    result = run(portal, "github", GITHUB_STEP_SUMMARY=str(summary))
    assert result.returncode == 1
    assert "::error file=datasets/units.csv,line=2,title=不在可选值中::[constraint-enum] “类型”的值 居委会" in result.stdout
    table = summary.read_text(encoding="utf-8")
    assert table.startswith("### 数据检查未通过 ❌：1 处错误")
    assert "| 级别 | 规则 | 文件 | 行 | 列 | 字段 | 问题 |" in table
    assert f"| 错误 | 不在可选值中 | datasets/units.csv | 2 | {chr(65 + column)} | kind |" in table


def test_github_summary_of_clean_data_says_it_passed_with_the_counts(portal, tmp_path):
    summary = tmp_path / "summary.md"
    result = run(portal, "github", GITHUB_STEP_SUMMARY=str(summary))
    assert result.returncode == 0 and "::error" not in result.stdout
    files = sorted((portal / "datasets").glob("*.csv"))  # the sample has a file for each of the 14 resources
    rows = {f.stem: len(read_rows(portal, f.stem)) for f in files}
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("### 数据检查通过 ✅")
    assert f"检查了 {len(files)} 个数据表、共 {sum(rows.values()):,} 行；错误 0 处，提示 0 条。" in text and len(files) == 14
    assert "|" not in text  # no empty table


def test_gitlab_format_is_a_code_quality_report(portal):
    broken_units(portal)
    result = run(portal, "gitlab")
    assert result.returncode == 1
    issues = json.loads(result.stdout)
    assert [(i["check_name"], i["location"]["path"], i["location"]["lines"]["begin"], i["severity"]) for i in issues] == [
        ("不在可选值中（constraint-enum）", "datasets/units.csv", 2, "major")]
    assert len(issues[0]["fingerprint"]) == 64


def test_a_config_error_is_annotated_and_reported_in_every_ci_format(portal, tmp_path):
    config = portal / "site_config.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("site_name:", "site_nmae:", 1), encoding="utf-8")
    summary = tmp_path / "summary.md"
    github = run(portal, "github", GITHUB_STEP_SUMMARY=str(summary))
    assert github.returncode == 2
    assert "::error file=site_config.yml,title=网站配置::[mkdocs-config]" in github.stdout
    assert "site_nmae" in summary.read_text(encoding="utf-8")
    gitlab = run(portal, "gitlab")
    assert gitlab.returncode == 2
    [issue] = json.loads(gitlab.stdout)
    assert issue["location"]["path"] == "site_config.yml" and "site_nmae" in issue["description"]


def test_json_value_is_always_the_cell_as_written(portal):
    rows = read_rows(portal, "projects")
    rows[0]["progress"] = "120"  # an integer over its maximum
    rows[1]["budget_yuan"] = "1,234.567"
    write_rows(portal, "projects", rows)
    rows = read_rows(portal, "needs")
    rows[0]["resolved_on"] = "2001/1/1"  # a valid date, before raised_on: a rule finding about a typed value
    rows[0]["status"] = "已解决"
    write_rows(portal, "needs", rows)
    report = json.loads(run(portal, "json").stdout)
    values = {(f["resource"], f["field"]): f["value"] for f in report["errors"]}
    assert values[("projects", "progress")] == "120"
    assert values[("projects", "budget_yuan")] == "1,234.567"
    assert values[("needs", "resolved_on")] == "2001/1/1"
    assert all(isinstance(f["value"], str) for f in report["errors"] + report["warnings"] if f["value"] is not None)


def test_every_finding_code_in_the_source_has_a_chinese_rule_name():
    import re

    from gongkai.reports.rules import RULE_NAMES

    source = "\n".join(p.read_text(encoding="utf-8") for folder in ("gongkai", "plugins")
                       for p in (REPO / folder).rglob("*.py"))
    found = set(re.findall(r"""(?:error|warning|TableError|context\.error)\(\s*"([a-z][a-z0-9-]+)\"""", source))
    found |= set(re.findall(r"""code="([a-z][a-z0-9-]+)\"""", source))
    found |= set(re.findall(r"""(?:return |(?<![\w.])\()"([a-z]+-[a-z-]+)", f?"[^"]*[\u4e00-\u9fff]""", source))
    assert found - set(RULE_NAMES) == set()
    assert len(found) > 60


def test_init_workflows_validate_pull_requests_and_publish_the_default_branch(portal):
    github = yaml.safe_load((portal / ".github" / "workflows" / "portal.yml").read_text(encoding="utf-8"))
    steps = {job: " ".join(str(s.get("run", "")) for s in spec["steps"]) for job, spec in github["jobs"].items()}
    assert "gongkai validate --format github" in steps["validate"]
    assert "gongkai build" in steps["build"]
    assert github["jobs"]["build"]["if"] == ("github.event_name == 'push' && "
                                             "github.ref_name == github.event.repository.default_branch")
    assert "branches" not in (github[True].get("push") or {})  # `on:`: main and master alike
    assert any("deploy-pages" in str(s.get("uses")) for s in github["jobs"]["deploy"]["steps"])
    gitlab = yaml.safe_load((portal / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert "gongkai validate --format gitlab" in " ".join(gitlab["validate"]["script"])
    assert gitlab["validate"]["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"
    assert gitlab["pages"]["artifacts"]["paths"] == ["public"]
    assert gitlab["pages"]["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}]


@pytest.mark.parametrize("path, schema", [(".github/workflows/portal.yml", "vendor.github-workflows"),
                                          (".gitlab-ci.yml", "vendor.gitlab-ci")])
def test_init_workflows_match_the_ci_schemas(portal, path, schema):
    done = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(portal / path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_init_workflows_install_the_gongkai_that_wrote_them_from_one_marked_place(portal):
    from gongkai.scaffold import install_requirement

    requirement, _ = install_requirement()
    github = yaml.safe_load((portal / ".github" / "workflows" / "portal.yml").read_text(encoding="utf-8"))
    gitlab = yaml.safe_load((portal / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert github["env"]["GONGKAI"] == gitlab["variables"]["GONGKAI"] == requirement
    for text in ((portal / ".github" / "workflows" / "portal.yml").read_text(encoding="utf-8"),
                 (portal / ".gitlab-ci.yml").read_text(encoding="utf-8")):
        assert text.count("GONGKAI:") == 1 and "只改这一行" in text
        installs = [line.strip() for line in text.splitlines() if "pip install" in line]
        assert installs and all(line in ('- run: pip install "$GONGKAI"', '- pip install "$GONGKAI"') for line in installs)


class FakeDist:
    def __init__(self, direct: dict | None, version: str = "0.1.0"):
        self.direct, self.version = direct, version

    def read_text(self, name):
        return json.dumps(self.direct) if self.direct and name == "direct_url.json" else None


def _git(folder, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=folder, check=True,
                   capture_output=True)


@pytest.mark.parametrize("source", ["index", "git-url", "archive", "folder-with-remote", "folder-scp-remote",
                                    "local-folder", "local-git-url"])
def test_the_requirement_names_where_pip_installed_gongkai_from(monkeypatch, tmp_path, source):
    from packaging.requirements import Requirement

    from gongkai import scaffold

    commit = "0123456789abcdef0123456789abcdef01234567"
    checkout = tmp_path / "gongkai"
    checkout.mkdir()
    if source.startswith("folder"):
        _git(checkout, "init", "-q")
        (checkout / "x").write_text("x")
        _git(checkout, "add", "x")
        _git(checkout, "commit", "-q", "-m", "x")
        remote = "https://gitee.com/owner/gongkai.git" if source == "folder-with-remote" else "git@gitee.com:owner/gongkai.git"
        _git(checkout, "remote", "add", "origin", remote)
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=checkout, capture_output=True, text=True).stdout.strip()
    direct = {
        "index": None,
        "git-url": {"url": "https://gitee.com/owner/gongkai.git", "vcs_info": {"vcs": "git", "commit_id": commit}},
        "archive": {"url": "https://example.org/gongkai-0.1.0.tar.gz", "archive_info": {}},
        "folder-with-remote": {"url": checkout.as_uri(), "dir_info": {}},
        "folder-scp-remote": {"url": checkout.as_uri(), "dir_info": {"editable": True}},
        "local-folder": {"url": checkout.as_uri(), "dir_info": {}},
        "local-git-url": {"url": checkout.as_uri(), "vcs_info": {"vcs": "git", "commit_id": commit}},
    }[source]
    monkeypatch.setattr(scaffold, "_distribution", lambda: FakeDist(direct))
    requirement, reachable = scaffold.install_requirement()
    expected = {
        "index": ("gongkai==0.1.0", True),
        "git-url": (f"gongkai @ git+https://gitee.com/owner/gongkai.git@{commit}", True),
        "archive": ("gongkai @ https://example.org/gongkai-0.1.0.tar.gz", True),
        "local-folder": (f"gongkai @ {checkout.as_uri()}", False),
        "local-git-url": (f"gongkai @ git+{checkout.as_uri()}@{commit}", False),
    }
    if source == "folder-with-remote":
        expected[source] = (f"gongkai @ git+https://gitee.com/owner/gongkai.git@{head}", True)
    if source == "folder-scp-remote":
        expected[source] = (f"gongkai @ git+ssh://git@gitee.com/owner/gongkai.git@{head}", True)
    assert (requirement, reachable) == expected[source]
    assert Requirement(requirement).name == "gongkai"  # pip reads it


def test_init_warns_when_ci_could_not_install_this_gongkai(monkeypatch, tmp_path, capsys):
    from gongkai import scaffold
    from gongkai.cli import main

    monkeypatch.setattr(scaffold, "_distribution", lambda: FakeDist({"url": "file:///home/me/gongkai", "dir_info": {}}))
    assert main(["init", str(tmp_path / "p")]) == 0
    assert "CI 无法从那里安装" in capsys.readouterr().err
    assert '"gongkai @ file:///home/me/gongkai"' in (tmp_path / "p" / ".gitlab-ci.yml").read_text(encoding="utf-8")


def test_pre_commit_hook_runs_validate():
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hooks[0]["id"] == "gongkai-validate" and hooks[0]["entry"] == "gongkai validate"
