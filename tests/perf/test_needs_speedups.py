"""The sphinx-needs stand-ins (guideline.sphinxext.needs_speedups) give the same HTML,
needs.json and warnings as sphinx-needs' own code, through incremental builds."""

from __future__ import annotations

import copy
import io
import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from helpers import REPO, make_site
from sphinx.testing.util import SphinxTestApp
from sphinx_needs.data import SphinxNeedsData
from sphinx_needs.schema import core

from guideline.sphinxext import needs_speedups

# Need containers and some theme elements carry per-build random ids.
_RANDOM_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}")


def _build(root: Path, out: Path, speedups: bool, *, fresh: bool = False) -> dict:
    warning = io.StringIO()
    app = SphinxTestApp("html", srcdir=root / "docs", builddir=out, status=io.StringIO(), warning=warning,
                        freshenv=fresh, confoverrides={"guideline_needs_speedups": speedups})
    try:
        app.build()
        assert needs_speedups.is_installed() is speedups
    finally:
        app.cleanup()
    outdir = Path(app.outdir)
    needs = json.loads((outdir / "needs.json").read_text(encoding="utf-8"))
    needs.pop("created")
    for version in needs["versions"].values():
        version.pop("created")
    pages = {p.relative_to(outdir).as_posix(): _RANDOM_ID.sub("<id>", p.read_text(encoding="utf-8"))
             for p in sorted(outdir.rglob("*.html"))}
    return {"warnings": warning.getvalue().replace(str(out), "<out>"), "needs": needs, "pages": pages}


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def _block(text: str, need_id: str) -> str:
    """The fenced need directive holding ``:id: need_id``."""
    start = text.rindex("```{", 0, text.index(f":id: {need_id}\n"))
    return text[start:text.index("```\n", text.index(f":id: {need_id}\n")) + 4]


def test_speedups_give_the_same_builds_through_incremental_changes(tmp_path):
    assert needs_speedups.supported()  # the installed sphinx-needs is the one they were written for
    g, root = make_site(tmp_path / "site", needs=80)
    docs = root / "docs"
    (docs / "notes.md").write_text("# Notes\n\nA page without needs.\n", encoding="utf-8")
    _edit(docs / "index.md", "references\n", "references\nnotes\n")

    def both(fresh: bool = False) -> dict:
        on = _build(root, tmp_path / "on", True, fresh=fresh)
        off = _build(root, tmp_path / "off", False, fresh=fresh)
        assert on["warnings"] == off["warnings"]
        assert on["needs"] == off["needs"]
        assert on["pages"].keys() == off["pages"].keys()
        assert [p for p in on["pages"] if on["pages"][p] != off["pages"][p]] == []
        return on

    first = both(fresh=True)
    assert first["warnings"] == "", first["warnings"]
    assert {"SRC_P0002A", "SRC_P0004A"} <= first["needs"]["versions"][""]["needs"].keys()

    # A need changed, a need moved to a new page, a page with needs and one without removed.
    rec = g.pages[0].recs[0]
    _edit(docs / f"{g.pages[0].name}.md", f"```{{rec}} {rec.title}\n", "```{rec} A changed title\n")
    page2 = docs / f"{g.pages[1].name}.md"
    moved = _block(page2.read_text(encoding="utf-8"), "SRC_P0002A")
    _edit(page2, moved, "")
    (docs / "chapters" / "zmoved.md").write_text(f"# Moved\n\n{moved}", encoding="utf-8")
    (docs / f"{g.pages[3].name}.md").unlink()
    (docs / "notes.md").unlink()
    _edit(docs / "index.md", f"{g.pages[3].name}\n", "chapters/zmoved\n")
    _edit(docs / "index.md", "notes\n", "")
    second = both()
    needs = second["needs"]["versions"][""]["needs"]
    # (read after the page it left: sphinx-needs reads pages in name order)
    assert needs["SRC_P0002A"]["docname"] == "chapters/zmoved"
    assert needs[rec.id]["title"] == "A changed title"
    assert not any(need_id.startswith(("SRC_P0004", "CLM_P0004", "REC_P0004")) for need_id in needs)

    # Schema violations: a bad ID for the type, a core field out of its enum, a wrong-typed field.
    page1 = docs / f"{g.pages[0].name}.md"
    _edit(page1, ":id: SRC_P0001B\n", ":id: SRC_P0001_B\n")
    _edit(page1, f":id: {rec.id}\n", f":id: {rec.id}\n:key: perhaps\n")
    other = next(r for r in g.pages[0].recs[1:] if r.status == "approved")
    block = _block(page1.read_text(encoding="utf-8"), other.id)
    _edit(page1, block, block.replace(":status: approved\n", ":status: pending\n")
          .replace(f":last_reviewed: {other.last_reviewed}\n", ":last_reviewed: March 2026\n"))
    third = both()
    assert "Source IDs must match" in third["warnings"] and "SRC_P0001_B" in third["warnings"]
    assert '"pending" is not one of' in third["warnings"]
    assert '"March 2026" does not match' in third["warnings"]
    assert "Cannot convert 'perhaps' to boolean" in third["warnings"]


# -- 1. purge -------------------------------------------------------------------------------

class _Need:
    """What remove_doc and the unregistered-page note read of a need."""

    scanned = 0

    def __init__(self, docname: str | None) -> None:
        self.docname = docname

    def is_in_document(self, docname: str) -> bool:
        _Need.scanned += 1
        return self.docname == docname

    def __getitem__(self, key: str) -> str | None:
        assert key == "docname"
        return self.docname


def _env() -> SimpleNamespace:
    return SimpleNamespace(
        _needs_all_needs={"A": _Need("p1"), "B": _Need("p2"), "C": _Need("p3"), "X": _Need(None)},
        # p3's need came in without add_doc (a third-party api.add_need caller)
        _needs_all_docs={"all": ["p1", "p2"], "needextract": ["p2", "p5"]},
        _need_all_needextend={"e1": {"docname": "p4"}, "e2": {"docname": "p1"}},
        _needs_all_needumls={"u1": {"docname": "p5"}},
        _needs_all_nodes={"A": object(), "C": object()},
    )


def _state(env: SimpleNamespace) -> tuple:
    return (sorted(env._needs_all_needs), env._needs_all_docs, env._need_all_needextend, env._needs_all_needumls,
            sorted(env._needs_all_nodes))


@pytest.fixture
def speedups_installed():
    was = needs_speedups.is_installed()
    needs_speedups.install()
    yield
    if not was:
        needs_speedups.uninstall()


def test_remove_doc_skips_the_scan_only_for_pages_without_needs(speedups_installed):
    fast, slow = _env(), _env()
    needs_speedups._note_unregistered(None, fast, set(), set(), set())  # type: ignore[arg-type]
    assert getattr(fast, needs_speedups.UNREGISTERED_ATTR) == {"p3"}
    original = SphinxNeedsData.remove_doc.guideline_original  # type: ignore[attr-defined]
    for docname in ("p4", "p5", "p3", "p1", "p9"):
        _Need.scanned = 0
        SphinxNeedsData(fast).remove_doc(docname)  # type: ignore[arg-type]
        scanned_fast = _Need.scanned
        original(SphinxNeedsData(slow), docname)  # type: ignore[arg-type]
        assert _state(fast) == _state(slow), docname
        # p4, p5, p9 hold no need: no scan; p3 (unregistered) and p1 are scanned.
        assert (scanned_fast > 0) == (docname in ("p3", "p1")), docname
    assert sorted(fast._needs_all_needs) == ["B", "X"]

    # Outside a noted read phase the original runs, scan included.
    needs_speedups._forget_unregistered(None, fast)  # type: ignore[arg-type]
    _Need.scanned = 0
    SphinxNeedsData(fast).remove_doc("p7")  # type: ignore[arg-type]
    assert _Need.scanned == 2


# -- 2. schema selects ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def built_needs(tmp_path_factory):
    """Real needs of every type (and a copy without a type) with the select field names of a build."""
    _, root = make_site(tmp_path_factory.mktemp("select") / "site", needs=20)
    app = SphinxTestApp("html", srcdir=root / "docs", builddir=root / "_build", status=io.StringIO(),
                        warning=io.StringIO(), freshenv=True)
    try:
        app.build()
        data = SphinxNeedsData(app.env)
        needs = list(data.get_needs_view().values())
        schema = data.get_schema()
        names = frozenset({*schema.iter_core_field_names(), *schema.iter_extra_field_names(),
                           *schema.iter_link_field_names(), "id", "type", "docname", "is_external", "is_import"})
    finally:
        app.cleanup()
    variants = []
    for value in (None, 5, ["rec"]):
        need = needs[0].copy()
        need._core["type"] = value  # the select semantics for a missing or odd type
        variants.append(need)
    assert {n["type"] for n in needs} == {"rec", "claim", "source"}
    return [*needs, *variants], names


SELECTS = [
    {"properties": {"type": {"const": "rec"}}},
    {"properties": {"type": {"const": "claim", "type": "string"}}, "type": "object"},  # as sphinx-needs resolves it
    {"properties": {"type": {"const": 5}}},
    {"properties": {"type": {"const": "rec", "type": "integer"}}},
    {"properties": {"type": {"enum": ["rec", "source"]}}},
    {"properties": {"type": {"const": "rec"}, "status": {"const": "approved"}}},
    {"properties": {"type": {"const": "rec"}}, "required": ["type"]},
    {"allOf": [{"properties": {"type": {"const": "rec"}}}]},
]
FAST = {0, 1}  # the shapes answered without the original


@pytest.mark.parametrize("index", range(len(SELECTS)))
def test_select_fast_path_agrees_with_the_original(built_needs, index):
    needs, names = built_needs
    validator = core.compile_validator(SELECTS[index])
    original = getattr(core._check_select_match, "guideline_original", core._check_select_match)
    calls = []

    def counted(*args, **kwargs):
        calls.append(args[0])
        return original(*args, **kwargs)

    fast = needs_speedups._wrap_check_select_match(counted)
    config = SimpleNamespace(schema_debug_active=False)
    for field_names in (names, names - {"type"}):
        for need in needs:
            kwargs = dict(select_field_names=field_names, config=config, schema_path=["s", "select"],
                          need_path=[need["id"]])
            assert fast(need, validator, **kwargs) == original(need, validator, **kwargs), (SELECTS[index], need["type"])
    # Both outcomes occur, and the fast shapes left the original only the odd types
    # (and the projection without "type").
    outcomes = {original(n, validator, select_field_names=names, config=config, schema_path=[], need_path=[])
                for n in needs}
    assert outcomes == {True, False}
    odd = [n for n in needs if n["type"] is not None and type(n["type"]) is not str]
    if index in FAST:
        assert len(calls) == len(odd) + len(needs)  # odd types once, everything once without "type"
    else:
        assert len(calls) == 2 * len(needs)


def test_select_debug_mode_takes_the_original(built_needs):
    needs, names = built_needs
    calls = []
    fast = needs_speedups._wrap_check_select_match(lambda *a, **k: calls.append(a[0]) or "original")
    validator = core.compile_validator(SELECTS[0])
    assert fast(needs[0], validator, select_field_names=names, config=SimpleNamespace(schema_debug_active=True),
                schema_path=[], need_path=[]) == "original"
    assert calls == [needs[0]]


@pytest.mark.parametrize("select", SELECTS)
def test_type_const_only_for_the_exact_shape(select):
    expected = {0: "rec", 1: "claim"}.get(SELECTS.index(select))
    assert needs_speedups.type_const(core.compile_validator(select).raw) == expected


def test_the_guideline_selects_take_the_fast_path():
    from guideline.grading import load_settings
    from guideline.sphinxext.needs_config import schema_rules

    rules = schema_rules(load_settings(REPO / "docs"))
    assert rules
    for rule in rules:
        resolved = copy.deepcopy(rule["select"])
        resolved["properties"]["type"]["type"] = "string"  # sphinx-needs' type injection
        assert needs_speedups.type_const(core.compile_validator(rule["select"]).raw) is not None
        assert needs_speedups.type_const(core.compile_validator(resolved).raw) is not None


def test_needs_json_is_byte_for_byte_what_the_original_writes(tmp_path):
    """The C encoder (json.dumps) writes the bytes json.dump wrote, timestamps aside."""
    from sphinx_needs.needsfile import NeedsList

    _, root = make_site(tmp_path / "site", needs=40)
    texts = []
    for on in (True, False):
        _build(root, tmp_path / f"out-{on}", on, fresh=True)
        assert hasattr(NeedsList.write_json, "guideline_original") is on
        text = (tmp_path / f"out-{on}" / "html" / "needs.json").read_text(encoding="utf-8")
        texts.append(re.sub(r'"created": "[^"]*"', '"created": ""', text))
    assert '"REC_P0001_01"' in texts[0]
    assert texts[0] == texts[1]
