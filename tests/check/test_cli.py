"""The command line: exit codes, report formats, cache, the script wrapper."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

from click.testing import CliRunner

from guideline.check.cli import check as check_command

from .conftest import EDITION, INDEX, base_files

REPO = Path(__file__).resolve().parents[2]


def invoke(root: Path, *args: str):
    return CliRunner().invoke(check_command, ["--root", str(root), "--edition-date", EDITION.isoformat(), *args])


def broken(repo) -> Path:
    files = base_files()
    files["docs/index.md"] = INDEX.replace("was 63.0 %", "was 73.0 %")
    return repo(files)


def test_clean_exits_0(repo):
    result = invoke(repo())
    assert result.exit_code == 0, result.output
    assert "0 error(s)" in result.output.splitlines()[-1]


def test_errors_exit_1_with_file_line_rule(repo):
    result = invoke(broken(repo))
    assert result.exit_code == 1
    assert "docs/index.md:13: [ev.quote-not-found] CLM_MAJES_01: quote not found" in result.output
    assert "hint: Copy the exact words" in result.output
    assert "Traceback" not in result.output


def test_fail_on_warning(repo):
    files = base_files()
    files["docs/index.md"] = INDEX.replace("2026-01-10", "2024-01-10")
    root = repo(files)
    assert invoke(root).exit_code == 0
    assert invoke(root, "--fail-on", "warning").exit_code == 1


def test_usage_and_settings_errors_exit_2(repo, tmp_path):
    assert invoke(repo(), "--format", "yaml").exit_code == 2
    result = CliRunner().invoke(check_command, ["--root", str(tmp_path / "empty")])
    assert result.exit_code == 2
    assert "[settings.missing]" in result.output and "Traceback" not in result.output
    result = invoke(repo(), "--edition-date", "2026-13-01")
    assert result.exit_code == 2 and "not YYYY-MM-DD" in result.output


def test_json_sarif_junit(repo):
    root = broken(repo)
    data = json.loads(invoke(root, "--format", "json").output)
    assert data["summary"]["findings"]["error"] == 1
    assert data["findings"][0]["rule"] == "ev.quote-not-found"

    sarif = json.loads(invoke(root, "--format", "sarif").output)
    run = sarif["runs"][0]
    assert sarif["version"] == "2.1.0"
    assert run["results"][0]["ruleId"] == "ev.quote-not-found"
    assert run["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 13
    assert any(r["id"] == "ev.quote-not-found" for r in run["tool"]["driver"]["rules"])

    out = root / "junit.xml"
    result = invoke(root, "--format", "junit", "-o", str(out))
    assert result.exit_code == 1
    suites = ET.parse(out).getroot()
    assert suites.get("failures") == "1"
    failure = suites.find(".//testsuite[@name='ev.quote-not-found']/testcase/failure")
    assert failure is not None and "CLM_MAJES_01" in failure.get("message")


def test_cache_serves_unchanged_inputs_and_notices_changes(repo):
    root = repo()
    first = json.loads(invoke(root, "--format", "json").output)
    again = json.loads(invoke(root, "--format", "json").output)
    assert not first["summary"]["cached"] and again["summary"]["cached"]
    assert first["findings"] == again["findings"]
    assert list((root / ".guideline-cache").glob("check-*.json"))
    (root / "seeds" / "majestec.txt").write_text("changed text", encoding="utf-8")
    changed = json.loads(invoke(root, "--format", "json").output)
    assert not changed["summary"]["cached"]
    assert changed["findings"][0]["rule"] == "ev.quote-not-found"


def test_script_wrapper(repo):
    root = broken(repo)
    proc = subprocess.run([sys.executable, str(REPO / "tools" / "check_guideline.py"), "--root", str(root),
                           "--edition-date", EDITION.isoformat(), "--no-cache", "--min-severity", "error"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "[ev.quote-not-found]" in proc.stdout
