"""Content safety, one tiny project per spelling: the page is rejected with a located
``guideline.safe.*`` warning, the build fails, and nothing of it reaches the output.

Each project is docs/ (MyST + the safety extension only, so a build takes a fraction
of a second) beside a folder ``outside/`` that stands for a file outside the repository.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from sphinx.cmd.build import build_main

# What an attacker wants published; none of it may appear under the output folder.
MARKER = "OUTSIDE-SECRET-7F3A"
PAYLOAD = "pwn-4c1d"
OUTSIDE_TEXT = f"{MARKER}\n<script>alert('{PAYLOAD}')</script>\n"

CONF = """\
extensions = ["myst_parser", "guideline.sphinxext.safety"]
html_theme = "basic"
guideline_root = ".."
"""
INDEX = "# Index\n\nA safe page.\n"

# name: (page file, page text, rule, line of the finding)
CASES = {
    "eval-rst RAW": ("page.md", f"# P\n\n```{{eval-rst}}\n.. RAW:: html\n\n   <script>alert('{PAYLOAD}')</script>\n```\n",
                     "safe.raw-directive", 4),
    "eval-rst raw space": ("page.md", f"# P\n\n```{{eval-rst}}\ntext\n\n.. raw :: html\n\n   <script>alert('{PAYLOAD}')</script>\n```\n",
                           "safe.raw-directive", 6),
    "eval-rst Raw file": ("page.md", "# P\n\n```{eval-rst}\n.. Raw:: html\n   :file: ../../outside/secret.html\n```\n",
                          "safe.raw-directive", 4),
    "fenced Raw": ("page.md", f"# P\n\ntext\n\n```{{Raw}} html\n    <script>alert('{PAYLOAD}')</script>\n```\n",
                   "safe.raw-directive", 5),
    "role derived from raw": ("page.md", "# P\n\n```{eval-rst}\n.. role:: r(raw)\n   :format: html\n\n"
                              f"Hello :r:`<script>alert('{PAYLOAD}')</script>`.\n```\n", "safe.raw-directive", 7),
    "rst orphan raw": ("page.rst", f":orphan:\n\nP\n=\n\n.. raw:: html\n\n   <script>alert('{PAYLOAD}')</script>\n",
                       "safe.raw-directive", 6),
    "include of script file": ("page.md", "# P\n\n```{include} snippet.inc\n```\n", "safe.file-insertion", 3),
    "javascript link": ("page.md", "# P\n\n```{eval-rst}\n`x <javascript:alert(1)>`_\n```\n", "safe.url-scheme", 4),
    "javascript target with tab": ("page.rst", "P\n=\n\nSee x_.\n\n.. _x: java\tScript:alert(1)\n", "safe.url-scheme", 6),
    "data image": ("page.md", "# P\n\n```{eval-rst}\n.. image:: data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=\n```\n",
                   "safe.url-scheme", 4),
    "Include outside": ("page.md", "# P\n\n```{Include} ../../outside/secret.txt\n```\n", "safe.file-insertion", 3),
    "LiteralInclude outside": ("page.md", "# P\n\n```{LiteralInclude} ../../outside/secret.txt\n```\n",
                               "safe.file-insertion", 3),
    "INCLUDE outside": ("page.md", "# P\n\n```{eval-rst}\n.. INCLUDE:: ../../outside/secret.txt\n```\n",
                        "safe.file-insertion", 4),
    "include space outside": ("page.md", "# P\n\n```{eval-rst}\n.. include :: ../../outside/secret.txt\n```\n",
                              "safe.file-insertion", 4),
    "csv-table file outside": ("page.md", "# P\n\n```{eval-rst}\n.. csv-table:: T\n   :file: ../../outside/secret.txt\n```\n",
                               "safe.file-insertion", 4),
    "csv-table url": ("page.md", "# P\n\n```{csv-table} T\n:url: http://127.0.0.1:9/x.csv\n```\n",
                      "safe.file-insertion", 3),
    "image outside": ("page.md", "# P\n\n```{image} ../../outside/secret.png\n```\n", "safe.include-outside", 3),
    "download outside": ("page.md", "# P\n\nGet {download}`it <../../outside/secret.txt>`.\n", "safe.include-outside", 3),
    "MyST HTML block": ("page.md", f"# P\n\ntext\n\n<script>alert('{PAYLOAD}')</script>\n", "safe.raw-html", 5),
    "MyST inline HTML": ("page.md", f"# P\n\nDose <span onclick=\"alert('{PAYLOAD}')\">weekly</span>.\n",
                         "safe.raw-html", 3),
}


def make_project(base: Path, page: str, text: str) -> Path:
    docs = base / "repo" / "docs"
    docs.mkdir(parents=True)
    (docs / "conf.py").write_text(CONF, encoding="utf-8")
    (docs / "index.md").write_text(INDEX, encoding="utf-8")
    (docs / "snippet.inc").write_text(f"<script>alert('{PAYLOAD}')</script>\n", encoding="utf-8")
    (docs / page).write_text(text, encoding="utf-8")
    outside = base / "outside"
    outside.mkdir()
    for name in ("secret.txt", "secret.html", "secret.png"):
        (outside / name).write_text(OUTSIDE_TEXT, encoding="utf-8")
    return docs


def build(docs: Path, capsys) -> tuple[int, str, str, Path]:
    out = docs.parent / "build" / "html"
    log = docs.parent / "build" / "warnings.log"
    status = build_main(["-b", "html", "-W", "--keep-going", "-q", "-w", str(log), str(docs), str(out)])
    captured = capsys.readouterr()
    return status, log.read_text(encoding="utf-8"), captured.out + captured.err, out


def assert_nothing_published(out: Path, page_stem: str) -> None:
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert MARKER.encode() not in data, path
            assert PAYLOAD.encode() not in data, path
            assert b"javascript:alert" not in data.lower(), path
    assert not (out / f"{page_stem}.html").exists()
    assert not list((out / "_sources").glob(f"{page_stem}.*"))
    assert not (out / ".doctrees" / f"{page_stem}.doctree").exists()


@pytest.mark.parametrize("case", sorted(CASES))
def test_unsafe_page_is_rejected_and_not_written(case, tmp_path, capsys):
    page, text, rule, line = CASES[case]
    docs = make_project(tmp_path, page, text)
    status, warnings, output, out = build(docs, capsys)
    assert status != 0
    assert re.search(rf"{re.escape(str(docs / page))}:{line}: WARNING: \[{re.escape(rule)}\] .+ "
                     rf"\[guideline\.{re.escape(rule)}\]", warnings), warnings
    assert "content-safety check rejected 1 page(s), not written: page" in warnings
    for crash in ("Traceback", "Exception occurred", "please open an issue"):
        assert crash not in output
    assert_nothing_published(out, "page")
    assert (out / "index.html").is_file()  # the safe page is still built


def test_symlinked_page_out_of_the_repository_is_never_read(tmp_path, capsys):
    docs = make_project(tmp_path, "index.md", INDEX)
    (tmp_path / "outside" / "notes.md").write_text(f"# Notes\n\n{OUTSIDE_TEXT}", encoding="utf-8")
    (docs / "page.md").symlink_to(tmp_path / "outside" / "notes.md")
    status, warnings, output, out = build(docs, capsys)
    assert status != 0
    assert re.search(rf"{re.escape(str(docs / 'page.md'))}: WARNING: \[safe.symlink-outside\] the page is a "
                     rf"link to {re.escape(str(tmp_path / 'outside' / 'notes.md'))}", warnings), warnings
    assert "Traceback" not in output
    assert_nothing_published(out, "page")


def test_docutils_conf_cannot_turn_raw_back_on(tmp_path, capsys):
    docs = make_project(tmp_path, "page.md", "# P\n\nPlain text.\n")
    (docs / "docutils.conf").write_text("[general]\nraw_enabled: yes\nfile_insertion_enabled: yes\n",
                                        encoding="utf-8")
    status, warnings, _, out = build(docs, capsys)
    assert status != 0
    assert "[safe.settings] docutils setting raw_enabled is True for this page" in warnings
    assert "[safe.settings] docutils setting file_insertion_enabled is True" in warnings
    assert not (out / "page.html").exists()


def test_safe_links_and_a_safe_page_pass(tmp_path, capsys):
    text = ("---\norphan: true\n---\n# P\n\n[site](https://example.org/a?b=1) [mail](mailto:panel@example.org) [up](index.md)\n\n"
            "```{eval-rst}\n`rel <other.html#x>`_ and `abs <HTTP://EXAMPLE.ORG>`_\n\n"
            ".. csv-table:: Inline table\n\n   a, b\n```\n\n![logo](logo.svg)\n")
    docs = make_project(tmp_path, "page.md", text)
    (docs / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")
    status, warnings, output, out = build(docs, capsys)
    assert status == 0, warnings
    assert (out / "page.html").is_file()
    assert (out / "_images" / "logo.svg").is_file()


@pytest.mark.parametrize("uri, scheme", [
    ("https://a.org", "https"), ("index.html#x", ""), ("//cdn.example.org/x", ""),
    ("  JavaScript:alert(1)", "javascript"), ("java\tscript:x", "javascript"), ("\x01data:text/html,x", "data"),
    ("vbscript:x", "vbscript"), ("file:///etc/passwd", "file"), ("C:/x", "c"),
])
def test_uri_scheme_is_read_as_a_browser_reads_it(uri, scheme):
    from guideline.sphinxext.safety import uri_scheme

    assert uri_scheme(uri) == scheme


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="symlinks")
def test_is_inside_follows_symlinks(tmp_path):
    from guideline.sphinxext.safety import is_inside

    (tmp_path / "root").mkdir()
    (tmp_path / "else.txt").write_text("x", encoding="utf-8")
    (tmp_path / "root" / "link.txt").symlink_to(tmp_path / "else.txt")
    (tmp_path / "root" / "loop").symlink_to(tmp_path / "root" / "loop")
    (tmp_path / "root" / "real.txt").write_text("x", encoding="utf-8")
    roots = [tmp_path / "root"]
    assert is_inside(tmp_path / "root" / "real.txt", roots)
    assert not is_inside(tmp_path / "root" / "link.txt", roots)
    assert not is_inside(tmp_path / "root" / "loop", roots)
    assert not is_inside(tmp_path / "root" / ".." / "else.txt", roots)
