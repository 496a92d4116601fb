"""The edition registry: ids, dates, statuses, commits; never a traceback."""

from __future__ import annotations

import pytest

from guideline.editions import registry
from guideline.errors import GuidelineError

GOOD = '[[edition]]\nid = "{id}"\ndate = "2026-01-02"\nstatus = "{status}"\ncommit = "{commit}"\nsummary = "s"\n'


def table(**values: str) -> str:
    return GOOD.format(**{"id": "2026.1", "status": "final", "commit": "a" * 40, **values})


@pytest.mark.parametrize("edition_id", ["2024.1", "2026.12"])
def test_valid_ids(edition_id):
    assert registry.validate_id(edition_id) == edition_id


@pytest.mark.parametrize("edition_id", ["../2026.1", "2026/1", "2026..1", "2026.1/..", "..", "26.1", "2026", "",
                                        "2026.1\\x", "2026.a"])
def test_bad_ids_are_refused(edition_id):
    with pytest.raises(GuidelineError) as info:
        registry.validate_id(edition_id)
    assert info.value.rule == "edition.bad-id"


def test_parse_sorts_by_year_and_number():
    text = table(id="2026.10") + table(id="2026.2") + table(id="2024.1")
    assert [e.id for e in registry.parse(text)] == ["2024.1", "2026.2", "2026.10"]


@pytest.mark.parametrize(("text", "rule"), [
    (table(id="../x"), "edition.bad-id"),
    (table(status="published"), "edition.bad-status"),
    (table(commit="main"), "edition.bad-commit"),
    (table().replace("2026-01-02", "2026-13-45"), "edition.bad-date"),
    (table().replace('summary = "s"\n', ""), "edition.schema"),
    (table() + table(), "edition.duplicate"),
    (table() + "colour = 'blue'\n", "edition.schema"),
    ("[[edition]\n", "edition.syntax"),
])
def test_bad_registries_name_the_rule_and_line(text, rule):
    with pytest.raises(GuidelineError) as info:
        registry.parse(text, "docs/editions.toml")
    assert info.value.rule == rule
    assert str(info.value).startswith("docs/editions.toml")


def test_line_numbers_point_at_the_edition():
    text = table(id="2024.1") + table(id="2025.1", status="wip")
    with pytest.raises(GuidelineError) as info:
        registry.parse(text)
    assert info.value.line == text.splitlines().index('id = "2025.1"') + 1


def test_predecessor_and_newest_final():
    editions = registry.parse(table(id="2024.1") + table(id="2025.1", status="draft") + table(id="2026.1")
                              + table(id="2027.1", status="draft"))
    by_id = {e.id: e for e in editions}
    assert registry.predecessor(editions, by_id["2026.1"]).id == "2025.1"
    assert registry.predecessor(editions, by_id["2024.1"]) is None
    assert registry.newest_final(editions).id == "2026.1"


def test_unknown_edition_lists_the_known_ones():
    with pytest.raises(GuidelineError) as info:
        registry.get(registry.parse(table()), "2030.1")
    assert info.value.rule == "edition.unknown" and "2026.1" in info.value.hint
