"""Identifier checks, including properties over generated identifiers."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import issn as stdnum_issn

from guideline.check.bibfile import BibEntry
from guideline.check.identifiers import check_identifiers, is_bare_doi, load_calendars, parse_pages

EDITION = dt.date(2026, 3, 1)


def entry(**fields) -> BibEntry:
    return BibEntry("k", "article", fields, 1, "r.bib")


def rules(**fields) -> set[str]:
    return {f.rule for f in check_identifiers(entry(**fields), EDITION)}


@given(st.text(alphabet="0123456789", min_size=7, max_size=7))
def test_valid_issns_pass_and_a_changed_check_digit_fails(digits):
    good = digits + stdnum_issn.calc_check_digit(digits)
    assert "id.issn" not in rules(issn=f"{good[:4]}-{good[4:]}")
    bad_digit = next(d for d in "0123456789X" if d != good[-1])
    assert "id.issn" in rules(issn=f"{good[:4]}-{good[4:7]}{bad_digit}")


@given(st.integers(min_value=0, max_value=99_999_999))
def test_nct_numbers(number):
    assert "id.nct" not in rules(nct=f"NCT{number:08d}")
    assert "id.nct" in rules(nct=f"NCT{number:07d}"[:10] if number < 10_000_000 else f"NCT{number}0")


@given(st.integers(min_value=1, max_value=10**6), st.integers(min_value=0, max_value=10**6))
def test_page_ranges(start, length):
    assert "id.pages" not in rules(pages=f"{start}--{start + length}")
    if length:
        assert "id.pages" in rules(pages=f"{start + length}--{start}")


@pytest.mark.parametrize("doi,ok", [
    ("10.1056/NEJMoa2203478", True),
    ("10.1016/S1470-2045(24)00043-3", True),
    ("https://doi.org/10.1056/NEJMoa2203478", False),
    ("doi:10.1056/NEJMoa2203478", False),
    ("10.1056/NEJM oa2203478", False),
    ("10.12/x", False),
])
def test_doi_syntax(doi, ok):
    assert is_bare_doi(doi) is ok


@pytest.mark.parametrize("journal,year,volume,month,ok", [
    ("N Engl J Med", "2026", "394", "", True),
    ("N Engl J Med", "2026", "395", "", True),
    ("N Engl J Med", "2026", "395", "feb", False),
    ("The New England Journal of Medicine", "2024", "390", "", True),
    ("N Engl J Med", "2024", "394", "", False),
    ("Lancet Oncol", "2024", "25", "", True),
    ("Lancet Oncol", "2024", "24", "", False),
    ("Biol Blood Marrow Transplant", "2019", "25", "", True),
    ("Unknown Journal", "2024", "1", "", True),
])
def test_volume_calendar(journal, year, volume, month, ok):
    found = rules(journal=journal, year=year, volume=volume, month=month)
    assert ("id.volume-year" not in found) is ok


def test_volume_calendar_by_issn_and_extendable(tmp_path):
    assert "id.volume-year" in rules(issn="1470-2045", year="2024", volume="30")
    data = tmp_path / "v.toml"
    data.write_text('[x]\nnames = ["J X"]\nbase_year = 2000\nbase_volume = 1\nvolumes_per_year = 1\n')
    by_name, _ = load_calendars(str(data))
    assert list(by_name["j x"].volumes(2010)) == [11]


@pytest.mark.parametrize("doi,issn,year,ok", [
    ("10.1016/S1470-2045(24)00043-3", "1470-2045", "2024", True),
    ("10.1016/S1470-2045(23)00043-3", "1470-2045", "2024", True),   # received the year before
    ("10.1016/S1470-2045(21)00043-3", "1470-2045", "2024", False),
    ("10.1016/S0140-6736(24)00043-3", "1470-2045", "2024", False),
    ("10.1016/S1474-5488(24)00043-3", "1470-2045", "2024", True),   # the journal's other ISSN
    ("10.1016/S147020452400043X", "1470-2045", "2024", True),        # compact PII
])
def test_elsevier_pii(doi, issn, year, ok):
    assert ("id.pii" not in rules(doi=doi, issn=issn, year=year)) is ok


def test_pii_against_journal_name_when_no_issn():
    assert "id.pii" in rules(doi="10.1016/S0140-6736(24)00043-3", journal="Lancet Oncol", year="2024")


@pytest.mark.parametrize("pages,expected", [
    ("e205--e216", (("e", 205), ("e", 216))),
    ("495", None),
    ("e2300123", None),
    ("12\u201314", (("", 12), ("", 14))),
])
def test_parse_pages(pages, expected):
    assert parse_pages(pages) == expected


def test_year_and_pmid():
    assert "id.year" in rules(year="2027")
    assert "id.year" in rules(year="20xx")
    assert "id.year" not in rules(year="2026")
    assert "id.pmid" in rules(pmid="012")
    assert "id.pmid" not in rules(eprint="35661166", eprinttype="pubmed")
    assert "id.pmid" in rules(eprint="abc", eprinttype="pubmed")
