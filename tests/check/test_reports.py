"""Reports stay valid with hostile text in any field; -o never ends in a traceback (issue 9, section 6)."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from .conftest import INDEX, base_files
from .test_cli import invoke

CONTROL = "".join(chr(c) for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)) + "\x7f\x85\x9b"


@pytest.fixture
def hostile(repo) -> Path:
    """A cite key and a quote carrying every control character (and an ANSI escape)."""
    files = base_files()
    files["docs/index.md"] = INDEX + f"\nSee {{cite:p}}`moreau{CONTROL}x`.\n\nAnd {{cite:p}}`evil\x1b[2Jkey`.\n"
    return repo(files)


def test_junit_is_valid_xml_with_control_characters(hostile, tmp_path):
    out = tmp_path / "report.xml"
    result = invoke(hostile, "--format", "junit", "-o", str(out))
    assert result.exit_code == 1, result.output
    tree = ET.fromstring(out.read_bytes())  # raises on an illegal character
    failures = [f.get("message") for f in tree.iter("failure")]
    assert any("moreau\ufffd\\x01\\x02" in m for m in failures), failures
    assert all(not any(c in m for c in CONTROL) for m in failures)


@pytest.mark.parametrize("fmt", ["sarif", "json"])
def test_json_reports_are_valid_with_control_characters(hostile, tmp_path, fmt):
    out = tmp_path / f"report.{fmt}"
    assert invoke(hostile, "--format", fmt, "-o", str(out)).exit_code == 1
    data = json.loads(out.read_text(encoding="utf-8"))
    text = json.dumps(data)
    assert "\\u0001\\u0002" in text  # the key as it was, escaped by JSON


def test_text_report_shows_control_characters_escaped(hostile):
    result = invoke(hostile)
    assert result.exit_code == 1
    assert "evil\\x1b[2Jkey" in result.output and "\x1b" not in result.output


def test_output_into_a_missing_folder_is_created(repo, tmp_path):
    out = tmp_path / "missing" / "dir" / "report.xml"
    result = invoke(repo(), "--format", "junit", "-o", str(out))
    assert result.exit_code == 0, result.output
    ET.fromstring(out.read_bytes())


def test_output_that_cannot_be_written_is_a_clear_error(repo, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = invoke(repo(), "--format", "junit", "-o", str(blocker / "report.xml"))
    assert result.exit_code == 2
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert f"{blocker / 'report.xml'}: [usage.output] cannot write the report" in result.output
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_text_report_heads_each_severity_of_a_rule_apart():
    from guideline.check.engine import Result
    from guideline.check.report import render_text
    from guideline.check.rules import finding

    page = "docs/recommendations/agents.md"
    result = Result([finding("surv.retracted-source", page, 23, "GPS_AGENT_02 (approved) rests on it"),
                     finding("surv.retracted-source", page, 57, "REC_AGENT_02 (superseded) rests on it",
                             severity="info")],
                    {"findings": {"error": 1, "warning": 0, "info": 1}, "claims": {}, "references":
                     {"verified": 0, "unverified": 0, "retracted": 1}, "bib_entries": 1, "needs": 2,
                     "quotes_found": 0, "quotes_checked": 0})
    lines = render_text(result).splitlines()
    error_head = lines.index(next(line for line in lines if line.startswith("  [surv.retracted-source] error:")))
    info_head = lines.index(next(line for line in lines if line.startswith("  [surv.retracted-source] info:")))
    assert "GPS_AGENT_02" in lines[error_head + 1] and "REC_AGENT_02" in lines[info_head + 1]
    assert "REC_AGENT_02" not in "\n".join(lines[error_head:info_head])
