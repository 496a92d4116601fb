"""The Lancet-like reference style: numbered, six authors then et al, gaps stated."""

from __future__ import annotations

from pybtex.database import parse_string
from pybtex.plugin import find_plugin

BIB = r"""
@article{many,
  author = {A, Anna and B, Bea and C, Cy and D, Di and E, Ed and F, Flo and G, Gus},
  title = {Seven authors},
  journal = {Lancet Oncol},
  year = {2024}, volume = {25}, pages = {e205--e216},
}
@article{others,
  author = {Chari, Ajai and others},
  title = {Truncated list}, journal = {N Engl J Med}, year = {2022},
}
@article{gaps,
  journal = {N Engl J Med}, year = {2026}, volume = {394},
  missing = {author, title},
}
"""


def _render(key: str) -> str:
    style = find_plugin("pybtex.style.formatting", "lancet")()
    data = parse_string(BIB, "bibtex")
    entries = {e.key: e for e in style.format_entries(data.entries.values())}
    return entries[key].text.render_as("text")


def test_more_than_six_authors_become_three_et_al():
    assert _render("many").startswith("A A, B B, C C, et al. Seven authors. Lancet Oncol 2024; 25: e205")


def test_missing_metadata_is_stated_not_invented():
    assert _render("gaps") == "[author not stated]. [title not stated]. N Engl J Med 2026; 394."


def test_and_others_is_et_al():
    assert _render("others").startswith("Chari A, et al. Truncated list.")
