"""`guideline check` is the same gate as the build (issue 9, section 5).

One small Sphinx project carries every spelling the build rejects and `check` used to
accept. `guideline build` runs once (a subprocess, as a user runs it) and `check` once; each
spelling must be reported by both under the same rule id, file and line, and every finding
of the build must be a finding of the check.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from guideline.check.cli import check as check_command
from guideline.check.engine import Options, run_check

from .conftest import EDITION, INDEX, base_files, write_repo
from .test_sphinx import CONF, REPORT

CONF = CONF + "needs_build_json = True\n"  # as docs/conf.py: schema findings are located through it

TOCTREE = "\n```{toctree}\nbad\nfront\n```\n"


def rec(rec_id: str, *lines: str, grade: str = "A", status: str = "approved") -> str:
    body = "\n".join(lines)
    return f"""
```{{rec}} Case {rec_id}
:id: {rec_id}
:status: {status}
:based_on: CLM_MAJES_01
:grade: {grade}
:level: I
:introduced: 2026.1
:last_reviewed: 2026-01-10
{body + chr(10) if body else ""}
Text {{cite:p}}`moreau2022`.
```
"""


# (name, the text that carries it, the rule the build reports)
SPELLINGS = [
    ("grade-c", rec("REC_GRADEC_01", grade="c"), "sn_schema_violation.field_fail"),
    ("grade-b-plus", rec("REC_GRADEBP_01", grade="B+"), "sn_schema_violation.field_fail"),
    ("unknown-field", rec("REC_GRDE_01", ":grde: A"), "needs.directive"),
    ("status-aproved", rec("REC_STATUS_01", status="aproved"), "sn_schema_violation.local_fail"),
    ("duplicate-id", rec("REC_DUP_01") + rec("REC_DUP_01", status="draft"), "needs.create_need"),
    ("cyrillic-id", rec("REC_\u0410BC_01"), "needs.create_need"),       # Cyrillic A
    ("full-width-id", rec("REC_ABC_\uff10\uff11"), "needs.create_need"),  # full-width 01
    ("seed-text-path", "\n```{seed-text} seeds/nope.txt\n```\n", "ev.source-file"),
]
FRONT = "---\ntitle: [unclosed\n---\n# Front\n\nText.\n"  # bad YAML front matter


def _lines_of(doc: str) -> dict[str, int]:
    """Line of each spelling's (last) directive in the page."""
    return {name: doc[: doc.index(text) + text.rindex("```{")].count("\n") + 1 for name, text, _ in SPELLINGS}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("gate") / "proj"
    files = base_files()
    files["docs/conf.py"] = CONF
    files["docs/index.md"] = INDEX + TOCTREE + REPORT
    bad = "# Bad\n" + "".join(text for _, text, _ in SPELLINGS)
    files["docs/bad.md"] = bad
    files["docs/front.md"] = FRONT
    write_repo(root, files)
    return root, _lines_of(bad)


@pytest.fixture(scope="module")
def built(project):
    """What `guideline build` prints: (rule, file, line) of each `file:line: [rule] message`."""
    root, _ = project
    env = {**os.environ, "GUIDELINE_EDITION_DATE": EDITION.isoformat(), "GUIDELINE_ROOT": str(root)}
    proc = subprocess.run([sys.executable, "-m", "guideline.cli", "build", "-q"], capture_output=True, text=True,
                          timeout=600, env=env, cwd=root)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr, proc.stderr
    found = set()
    for line in proc.stderr.splitlines():
        if match := re.match(r"^(\S+?):(\d+): \[([\w.\-]+)\] (?:\[([\w.\-]+)\] )?", line):
            rule = match[3]
            if match[4] and rule == f"guideline.{match[4]}":  # the extension's own: [guideline.<rule>] [<rule>]
                rule = match[4]
            found.add((rule, match[1], int(match[2])))
    return found


@pytest.fixture(scope="module")
def checked(project):
    root, _ = project
    result = run_check(Options(root=root, edition=EDITION, use_cache=True))
    return result, {(f.rule, f.file, f.line) for f in result.findings if f.severity == "error"}


@pytest.mark.parametrize("name", [s[0] for s in SPELLINGS])
def test_each_spelling_same_rule_file_and_line(name, project, built, checked):
    _, lines = project
    rule = next(r for n, _, r in SPELLINGS if n == name)
    expected = (rule, "docs/bad.md", lines[name])
    assert expected in built, sorted(built)
    assert expected in checked[1], sorted(checked[1])


def test_bad_front_matter(built, checked):
    assert ("myst.topmatter", "docs/front.md", 1) in built
    assert ("myst.topmatter", "docs/front.md", 1) in checked[1]


def test_every_build_finding_is_a_check_finding(built, checked):
    assert built - checked[1] == set()
    assert checked[0].count("error") >= len(SPELLINGS) + 1


def test_unchanged_inputs_are_served_from_the_cache(project, checked):
    root, _ = project
    again = run_check(Options(root=root, edition=EDITION, use_cache=True))
    assert again.summary["cached"] is True
    assert [str(f) for f in again.findings] == [str(f) for f in checked[0].findings]


def test_sound_project_passes_the_gate(tmp_path):
    files = base_files()
    files["docs/conf.py"] = CONF
    files["docs/index.md"] = INDEX + REPORT
    root = write_repo(tmp_path / "sound", files)
    result = run_check(Options(root=root, edition=EDITION, use_cache=False))
    assert [str(f) for f in result.findings] == []
    assert result.summary["needs"] == 3 and result.summary["quotes_found"] == 1


def test_sphinx_that_cannot_start_is_one_finding_not_a_traceback(tmp_path):
    files = base_files()
    files["docs/conf.py"] = CONF.replace('"guideline.sphinxext"]', '"guideline.sphinxext", "no_such_extension"]')
    files["docs/index.md"] = INDEX.replace("was 63.0 %", "was 73.0 %")
    root = write_repo(tmp_path / "broken", files)
    result = CliRunner().invoke(check_command, ["--root", str(root), "--no-cache",
                                                "--edition-date", EDITION.isoformat()])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "docs/conf.py: [build.aborted]" in result.output and "no_such_extension" in result.output
    assert "[ev.quote-not-found]" in result.output  # the validator still ran on the sources
