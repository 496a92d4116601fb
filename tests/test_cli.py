"""The CLI explains itself and reports broken input without a traceback."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from conftest import copy_root

GUIDELINE = [sys.executable, "-m", "guideline.cli"]


def _run(args, cwd):
    return subprocess.run([*GUIDELINE, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_help_lists_the_commands(tmp_path):
    result = _run(["--help"], tmp_path)
    assert result.returncode == 0
    for command in ("build", "serve"):
        assert command in result.stdout


def test_build_of_a_broken_project_names_file_line_and_rule(tmp_path):
    copy_root("missing-based-on", tmp_path / "docs")
    result = _run(["build", "-q"], tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "[build.failed]" in result.stderr
    assert re.search(r"docs/index\.md:26: \[sn_schema_violation\.local_fail\] Need 'REC_USE_01'.*"
                     r"every rec needs at least one 'based_on' link", result.stderr), result.stderr


def test_build_writes_html_and_needs_json(tmp_path):
    copy_root("model-ok", tmp_path / "docs")
    result = _run(["build", "-q"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "build" / "html" / "index.html").is_file()
    assert (tmp_path / "build" / "html" / "needs.json").is_file()


def test_outside_a_project_is_a_clear_error(tmp_path):
    result = _run(["build"], tmp_path)
    assert result.returncode != 0
    assert "[project.not-found]" in result.stderr and "Traceback" not in result.stderr


def test_the_console_script_leaves_its_heap_to_the_os_whatever_the_exit(monkeypatch):
    """``guideline`` (pyproject's script) runs main, then freezes the collector, also on an error exit."""
    import gc
    import tomllib

    from guideline import cli

    script = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())["project"]["scripts"]
    assert script["guideline"] == "guideline.cli:run"
    frozen = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    monkeypatch.setattr(sys, "argv", ["guideline", "--definitely-not-an-option"])
    try:
        cli.run()
    except SystemExit as exit_:
        assert exit_.code == 2
    assert frozen == [True]
