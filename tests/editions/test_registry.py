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


# Canonical ids only (issue 9, section 7): each look-alike is refused with the line of its id.
@pytest.mark.parametrize(("id_line", "shown"), [
    ("id = 2026.10", "2026.1 (a TOML float, not a string)"),  # a float: 2026.10 would become "2026.1"
    ('id = "2024.1\\n"', "'2024.1\\n'"),
    ('id = "\uff12\uff10\uff12\uff16.1"', "'\uff12\uff10\uff12\uff16.1'"),  # full-width digits
    ('id = "2026.01"', "'2026.01'"),  # a leading zero: another spelling of 2026.1
    ('id = " 2026.1"', "' 2026.1'"),
    ("id = 2026", "2026 (a TOML int, not a string)"),
])
def test_non_canonical_ids_are_refused_with_their_line(id_line, shown):
    text = table(id="2024.1") + "\n# the next edition\n" + table().replace('id = "2026.1"', id_line)
    with pytest.raises(GuidelineError) as info:
        registry.parse(text, "docs/editions.toml")
    assert info.value.rule == "edition.bad-id"
    assert info.value.line == text.split("\n").index(id_line) + 1
    assert shown in info.value.message


@pytest.mark.parametrize(("text", "line"), [
    ('edition = ["x", 1]\n', 1),
    ('title = "t"\nedition = "2026.1"\n', 2),
    ("[edition]\nid = '2026.1'\n", 1),
])
def test_edition_must_be_an_array_of_tables(text, line):
    with pytest.raises(GuidelineError) as info:
        registry.parse(text, "docs/editions.toml")
    assert info.value.rule == "edition.schema" and info.value.line == line


@pytest.mark.parametrize("field", ["status", "commit", "summary"])
def test_fields_of_the_wrong_type_are_refused(field):
    text = "\n".join(f"{field} = 7" if line.startswith(f"{field} =") else line for line in table().split("\n"))
    with pytest.raises(GuidelineError) as info:
        registry.parse(text, "docs/editions.toml")
    assert info.value.rule in ("edition.schema", "edition.bad-commit") and info.value.line == 2


def test_a_non_utf8_registry_is_a_finding_with_its_line(tmp_path):
    from click.testing import CliRunner

    from guideline.cli import main

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "conf.py").write_text("", encoding="utf-8")
    (tmp_path / "docs" / "editions.toml").write_bytes(table().encode() + b'# caf\xe9\n')
    with pytest.raises(GuidelineError) as info:
        registry.load(tmp_path)
    assert info.value.rule == "edition.encoding" and info.value.line == 7
    for command in (["edition", "list"], ["edition", "build", "2026.1"], ["edition", "verify", "2026.1"], ["site"]):
        result = CliRunner().invoke(main, command, env={"GUIDELINE_ROOT": str(tmp_path)})
        assert result.exit_code == 1 and "docs/editions.toml:7: [edition.encoding]" in result.output, result.output
        assert "Traceback" not in result.output
