"""What a reader gets, checked on built outputs: the working tree and the latest edition.

The builds are the suite's shared ones (tests/conftest.py): the -W HTML build of
docs/, one PDF build of the working tree, and the latest registered edition.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from . import checks

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _toolchain_titles() -> list[str]:
    """The Toolchain pages' titles (of the working tree: an older edition may have fewer pages)."""
    titles = []
    for page in sorted((REPO / "docs" / "toolchain").glob("*.md")):
        heading = next((line for line in page.read_text(encoding="utf-8").splitlines() if line.startswith("# ")), "")
        if heading:
            titles.append(heading[2:].strip())
    return titles


@pytest.fixture(scope="module")
def working_tree(guideline_html, guideline_pdfs):
    return {"html": guideline_html, "full": guideline_pdfs["full"], "handout": guideline_pdfs["handout"]}


@pytest.fixture(scope="module")
def edition(latest_edition):
    edition_id = latest_edition.name
    return {"html": latest_edition / "html", "full": latest_edition / f"{edition_id}-full.pdf",
            "handout": latest_edition / f"{edition_id}-handout.pdf"}


@pytest.fixture(params=["working_tree", "edition"])
def built(request):
    return request.getfixturevalue(request.param)


def test_contents_page_numbers_are_the_pages_of_their_headings(built):
    assert checks.contents_page_numbers(built["full"]) == []


def test_no_near_empty_page_in_the_full_pdf(built):
    assert checks.near_empty_pages(built["full"]) == []


def test_handout_is_one_page(built):
    assert checks.page_count(built["handout"]) == 1


def test_no_bib_key_and_no_markdown_in_reader_pages(built):
    assert checks.keys_and_markup(built["html"], checks.bib_keys(REPO / "references.bib")) == []


def test_no_toolchain_heading_in_the_pdf(built):
    titles = _toolchain_titles()
    assert titles, "the guideline has Toolchain pages to leave out"
    assert checks.toolchain_in_pdf(built["full"], titles) == []


def test_recommendation_numbers_identical_in_html_pdf_and_handout(built):
    numbers = checks.html_numbers(built["html"])
    assert len(numbers) >= 5
    assert checks.numbers_in_pdfs(numbers, built["full"], built["handout"]) == []
