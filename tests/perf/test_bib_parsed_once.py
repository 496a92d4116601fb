"""One build parses each .bib once: bibcache's check, the integrity report and the
surveillance view read the same parse (guideline.check.bibfile keeps it by content and name)."""

from __future__ import annotations

import pytest
from helpers import build, make_site

from guideline.check import bibfile


@pytest.fixture
def parses(monkeypatch):
    """The names of the files really parsed (not answered from the kept results)."""
    monkeypatch.setattr(bibfile, "_PARSED", {})
    calls: list[str] = []
    real = bibfile._parse

    def counted(raw: bytes, shown: str) -> bibfile.BibFile:
        calls.append(shown)
        return real(raw, shown)

    monkeypatch.setattr(bibfile, "_parse", counted)
    return calls


def test_a_build_parses_the_bib_once(tmp_path, parses, monkeypatch):
    _, root = make_site(tmp_path / "site", needs=20)
    docs = root / "docs"
    # The surveillance view reads the .bib too (the cited DOIs, PMIDs and NCT numbers).
    (docs / "surveillance.toml").write_text('[surveillance]\nlog = "surveillance-log.jsonl"\nsince = 2026-11-21\n',
                                            encoding="utf-8")
    (docs / "surveillance-log.jsonl").write_text("", encoding="utf-8")
    readers: list[str | None] = []
    real = bibfile.parse_bib

    def read(path, display=None, raw=None):
        readers.append(display)
        return real(path, display, raw)

    monkeypatch.setattr(bibfile, "parse_bib", read)
    built = build(root, tmp_path / "out", fresh=True)
    assert built.warnings == ""
    assert readers == ["references.bib"] * 3  # bibcache, the integrity report, surveillance
    assert parses == ["references.bib"]


def test_kept_by_content_name_and_limits(tmp_path, parses, monkeypatch):
    bib = tmp_path / "refs.bib"
    bib.write_text("@article{a, title = {One}, year = {2020}}\n", encoding="utf-8")
    first = bibfile.parse_bib(bib, "refs.bib")
    first.entries.clear()  # a caller's own dict: the next caller still gets every entry
    first.findings.append(None)
    again = bibfile.parse_bib(bib, "refs.bib")
    assert list(again.entries) == ["a"] and again.findings == [] and parses == ["refs.bib"]

    bib.write_text("@article{b, title = {One}, year = {2020}}\n", encoding="utf-8")  # same size, new content
    assert list(bibfile.parse_bib(bib, "refs.bib").entries) == ["b"]
    other = bibfile.parse_bib(bib, "elsewhere/refs.bib")  # another name: its own findings and entries
    assert other.path == "elsewhere/refs.bib" and other.entries["b"].file == "elsewhere/refs.bib"
    assert parses == ["refs.bib", "refs.bib", "elsewhere/refs.bib"]

    monkeypatch.setattr(bibfile, "MAX_FIELD_CHARS", 2)  # other limits: parsed again under them
    assert [f.rule for f in bibfile.parse_bib(bib, "refs.bib").findings] == ["bib.limit"]
    assert len(parses) == 4


def test_kept_results_are_bounded(tmp_path, parses):
    for n in range(bibfile._PARSED_KEPT + 3):
        bib = tmp_path / f"{n}.bib"
        bib.write_text(f"@misc{{k{n}, title = {{T}}}}\n", encoding="utf-8")
        bibfile.parse_bib(bib, bib.name)
    assert len(bibfile._PARSED) == bibfile._PARSED_KEPT
    bibfile.parse_bib(tmp_path / "0.bib", "0.bib")  # the oldest was dropped: parsed again
    assert parses.count("0.bib") == 2
