"""Pathological .bib input is refused in seconds, in the check and in the build (issue 9, section 7)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from guideline.check import bibfile
from guideline.check.bibfile import check_limits, parse_bib

from .conftest import BIB, EDITION, base_files, check, write_repo
from .test_sphinx import CONF, REPORT

GENEROUS = 60.0


def doubling(levels: int = 24) -> str:
    """@string macros doubling to 8 * 2**24 characters: 134 MB if expanded."""
    return ('@string{s0 = "xxxxxxxx"}\n' + "".join(f"@string{{s{i} = s{i - 1} # s{i - 1}}}\n" for i in range(1, levels + 1))
            + f"@misc{{big, title = s{levels}, year = {{2020}}, note = {{x}}}}\n")


NESTED = "@misc{deep, title = " + "{" * 20_000 + "x" + "}" * 20_000 + ", year = {2020}, note = {x}}\n"
CASES = {
    "string-doubling": (doubling(), BIB.count("\n") + 1 + 17, "@string s17 would be 1,048,576 characters long"),
    "nested-braces": (NESTED, BIB.count("\n") + 1, "nested more than 32 deep"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_check_refuses_with_file_line_and_rule(case, repo):
    text, line, says = CASES[case]
    files = base_files()
    files["references.bib"] = BIB + text
    started = time.monotonic()
    result = check(repo(files))
    assert time.monotonic() - started < GENEROUS
    limits = [f for f in result.findings if f.rule == "bib.limit"]
    assert [(f.file, f.line) for f in limits] == [("references.bib", line)]
    assert says in limits[0].message and limits[0].severity == "error"
    assert str(limits[0]).startswith(f"references.bib:{line}: [bib.limit] ")
    # one finding for the refused file, not one per citation of it
    assert not [f for f in result.findings if f.rule == "cite.unknown-key"]


def test_one_limit_function_for_check_and_build(tmp_path):
    path = tmp_path / "x.bib"
    for text, line, says in CASES.values():
        path.write_text(BIB + text, encoding="utf-8")
        limits = check_limits(path, "x.bib")
        assert [(f.rule, f.line) for f in limits] == [("bib.limit", line)] and says in limits[0].message
        assert [(f.rule, f.line) for f in parse_bib(path, "x.bib").findings if f.rule == "bib.limit"] == [("bib.limit", line)]
    path.write_text(BIB, encoding="utf-8")
    assert check_limits(path) == []


def test_file_size_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(bibfile, "MAX_BIB_BYTES", 1000)
    path = tmp_path / "x.bib"
    path.write_text(BIB * 10, encoding="utf-8")
    assert "limit 1,000" in check_limits(path)[0].message
    assert [f.rule for f in parse_bib(path).findings] == ["bib.limit"]


def test_build_refuses_with_file_line_and_rule(tmp_path):
    # The nested-braces case goes through the same check_limits (test above).
    text, line, says = CASES["string-doubling"]
    files = base_files()
    files["docs/conf.py"] = CONF
    files["docs/index.md"] = files["docs/index.md"] + REPORT
    files["references.bib"] = BIB + text
    root = write_repo(tmp_path / "proj", files)
    env = {**os.environ, "GUIDELINE_EDITION_DATE": EDITION.isoformat()}
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-W", "-q", "-b", "dummy", str(root / "docs"),
                           str(tmp_path / "out")], capture_output=True, text=True, timeout=600, env=env)
    assert time.monotonic() - started < GENEROUS
    assert proc.returncode != 0
    assert f"references.bib:{line}: WARNING: " in proc.stderr and "[bib.limit]" in proc.stderr
    assert "Traceback" not in proc.stderr and "Extension error" not in proc.stderr
    assert "bibtex.key_not_found" not in proc.stderr and says in proc.stderr
