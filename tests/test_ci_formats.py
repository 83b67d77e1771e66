"""What CI shows staff: GitHub annotations and job summary, GitLab Code Quality, the workflows
`gongkai init` writes, and the pre-commit hook."""
from __future__ import annotations

import json
import subprocess
import sys

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


def test_github_format_annotates_the_line_and_writes_the_job_summary(portal, tmp_path):
    column = broken_units(portal)
    summary = tmp_path / "summary.md"
    result = run(portal, "github", GITHUB_STEP_SUMMARY=str(summary))
    assert result.returncode == 1
    assert "::error file=datasets/units.csv,line=2,title=constraint-enum::" in result.stdout
    table = summary.read_text(encoding="utf-8")
    assert "| 级别 | 文件 | 行 | 列 | 字段 | 问题 |" in table
    assert f"| 错误 | datasets/units.csv | 2 | {chr(65 + column)} | kind |" in table


def test_gitlab_format_is_a_code_quality_report(portal):
    broken_units(portal)
    result = run(portal, "gitlab")
    assert result.returncode == 1
    issues = json.loads(result.stdout)
    assert [(i["check_name"], i["location"]["path"], i["location"]["lines"]["begin"], i["severity"]) for i in issues] == [
        ("constraint-enum", "datasets/units.csv", 2, "major")]
    assert len(issues[0]["fingerprint"]) == 64


def test_init_workflows_validate_pull_requests_and_publish_main(portal):
    github = yaml.safe_load((portal / ".github" / "workflows" / "portal.yml").read_text(encoding="utf-8"))
    steps = {job: " ".join(str(s.get("run", "")) for s in spec["steps"]) for job, spec in github["jobs"].items()}
    assert "gongkai validate --format github" in steps["validate"]
    assert "gongkai build" in steps["build"]
    assert any("deploy-pages" in str(s.get("uses")) for s in github["jobs"]["deploy"]["steps"])
    gitlab = yaml.safe_load((portal / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert "gongkai validate --format gitlab" in " ".join(gitlab["validate"]["script"])
    assert gitlab["validate"]["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"
    assert gitlab["pages"]["artifacts"]["paths"] == ["public"]


def test_pre_commit_hook_runs_validate():
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hooks[0]["id"] == "gongkai-validate" and hooks[0]["entry"] == "gongkai validate"
