"""`guideline build` on hostile or broken input: a located message, a non-zero exit, no
traceback, and nothing of a rejected page under the output folder.

These use the full guideline extension (tests/roots/common + model-ok) through the
command line, as a contributor or Read the Docs would run it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import copy_root

GUIDELINE = [sys.executable, "-m", "guideline.cli"]
MARKER = "OUTSIDE-SECRET-7F3A"
PAYLOAD = "pwn-4c1d"
CRASH = ("Traceback", "Exception occurred", "please open an issue", "failed with 0 finding")


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*GUIDELINE, *args], cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.fixture
def project(tmp_path) -> Path:
    """A small guideline (docs/ with seeds/ beside conf.py) and a folder outside it."""
    copy_root("model-ok", tmp_path / "repo" / "docs")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.txt").write_text(f"{MARKER}\n<script>alert('{PAYLOAD}')</script>\n",
                                                     encoding="utf-8")
    return tmp_path / "repo"


def assert_clean_failure(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 1, result.stderr
    for crash in CRASH:
        assert crash not in result.stderr + result.stdout


def assert_not_under(folder: Path, *needles: str) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for needle in needles:
                assert needle.encode() not in data, path


def test_html_block_and_linked_seed_are_reported_and_nothing_published(project):
    """One build, two rejected pages: a need page with an HTML block, a seed linked out of the repository."""
    evil = project / "docs" / "evil.md"
    evil.write_text("---\norphan: true\n---\n# Evil\n\n"
                    "```{gap} Hidden question\n:id: GAP_EVIL_01\n:status: open\n\n"
                    f"{MARKER} in a need.\n```\n\n<script>alert('{PAYLOAD}')</script>\n", encoding="utf-8")
    (project / "docs" / "seeds" / "linked.txt").symlink_to(project.parent / "outside" / "secret.txt")
    views = project / "docs" / "views.md"
    views.write_text(views.read_text(encoding="utf-8") + "\n```{seed-text} seeds/linked.txt\n```\n",
                     encoding="utf-8")
    line = views.read_text(encoding="utf-8").splitlines().index("```{seed-text} seeds/linked.txt") + 1
    result = run(["build", "-q"], project)
    assert_clean_failure(result)
    assert re.search(r"docs/evil\.md:13: \[guideline\.safe\.raw-html\] \[safe\.raw-html\] raw html output",
                     result.stderr), result.stderr
    assert re.search(rf"docs/views\.md:{line}: \[guideline\.safe\.symlink-outside\] .*the seed seeds/linked\.txt "
                     r"is a link to .*outside/secret\.txt", result.stderr), result.stderr
    assert "rejected 2 page(s), not written: evil, views" in result.stderr
    assert "[build.failed]" in result.stderr
    out = project / "build" / "html"
    assert (out / "index.html").is_file()
    assert not (out / "evil.html").exists() and not (out / "views.html").exists()
    assert_not_under(out, MARKER, PAYLOAD, "GAP_EVIL_01")
    needs = json.loads((out / "needs.json").read_text(encoding="utf-8"))
    assert "REC_USE_01" in json.dumps(needs)  # the other pages' needs are still exported


def test_non_utf8_seed_names_the_seed_file_and_line(project):
    seed = project / "docs" / "seeds" / "smith.txt"
    seed.write_bytes(seed.read_bytes() + b"\nDosis f\xfcr Patienten\n")
    line = seed.read_bytes().count(b"\n", 0, seed.read_bytes().index(b"\xfc")) + 1
    result = run(["build", "-q"], project)
    assert_clean_failure(result)
    assert re.search(rf"docs/seeds/smith\.txt:{line}: \[guideline\.ev\.source-file\] .*byte 0xFC is not UTF-8.*"
                     r"docs/views\.md:\d+", result.stderr), result.stderr


@pytest.mark.parametrize("tail, rule, line, words", [
    (b"@article{broken,\n  title = {Unclosed,\n  year = {2020}\n", "bib.syntax", 12, "premature end of file"),
    (b"@misc{latin, title = {M\xfcller}, year = {2020}}\n", "bib.encoding", 10, "byte 0xFC is not UTF-8"),
])
def test_bib_error_during_the_build_is_located(project, tail, rule, line, words):
    bib = project / "docs" / "refs.bib"
    bib.write_bytes(bib.read_bytes() + tail)
    result = run(["build", "-q"], project)
    assert_clean_failure(result)
    assert f"docs/refs.bib:{line}: [{rule}] " in result.stderr and words in result.stderr, result.stderr


def test_build_folder_that_cannot_be_written_is_a_clear_error(project):
    (project / "build").write_text("a file where the build folder should be\n", encoding="utf-8")
    result = run(["build", "-q"], project)
    assert_clean_failure(result)
    assert re.search(r"build/html: \[build\.output\] cannot write the build output here: Not a directory",
                     result.stderr), result.stderr


@contextlib.contextmanager
def read_only(folder: Path):
    """Make ``folder`` unwritable, for root too: root ignores permission bits, not the immutable flag."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(folder)]).returncode != 0:
        pytest.skip("running as root on a file system without the immutable flag")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


def test_read_only_build_folder_is_a_clear_error(project):
    (project / "build").mkdir()
    with read_only(project / "build"):
        result = run(["build", "-q"], project)
    assert_clean_failure(result)
    assert re.search(r"build/html: \[build\.output\] cannot write the build output here: "
                     r"(Permission denied|Operation not permitted)", result.stderr), result.stderr


def test_out_into_a_missing_parent_folder(project, tmp_path):
    target = tmp_path / "new" / "deeper" / "html"
    result = run(["build", "-q", "-o", str(target)], project)
    assert result.returncode == 0, result.stderr
    assert (target / "index.html").is_file()
    blocked = tmp_path / "a-file"
    blocked.write_text("x", encoding="utf-8")
    result = run(["build", "-q", "-o", str(blocked / "html")], project)
    assert_clean_failure(result)
    assert f"{blocked / 'html'}: [build.output]" in result.stderr


def test_ctrl_c_during_a_build_says_interrupted_and_exits_130(project, tmp_path):
    started = tmp_path / "started"
    # The build blocks while reading its first page until the signal arrives, so the
    # test does not depend on how fast the machine is.
    with open(project / "docs" / "conf.py", "a", encoding="utf-8") as conf:
        conf.write(f"""

def setup(app):
    import pathlib, time

    def hold(app, docname, source):
        pathlib.Path({str(started)!r}).touch()
        for _ in range(6000):
            time.sleep(0.1)

    app.connect("source-read", hold)
""")
    proc = subprocess.Popen([*GUIDELINE, "build", "-q"], cwd=project, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 300
        while not started.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert started.exists(), proc.communicate(timeout=60)
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, stderr
    assert stderr.strip().endswith("interrupted"), stderr
    for crash in CRASH:
        assert crash not in stderr + stdout


def test_plain_sphinx_build_locates_a_bib_error_before_bibtex_stops(project, capsys):
    """Read the Docs runs sphinx-build itself: the finding comes first, by file and line."""
    from sphinx.cmd.build import build_main

    bib = project / "docs" / "refs.bib"
    bib.write_bytes(bib.read_bytes() + b"@article{broken,\n  title = {Unclosed,\n")
    status = build_main(["-b", "html", "-q", str(project / "docs"), str(project / "build" / "html")])
    err = capsys.readouterr().err
    assert status != 0
    located = err.find(f"{bib}:11: ERROR: [bib.syntax] syntax error in line 11")
    assert located != -1, err
    crash = err.find("Extension error")
    assert crash == -1  # the refused file never reaches sphinxcontrib-bibtex
