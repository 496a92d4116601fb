"""Guideline views: grading table, recommendation summary, traceability, seed text.

Views that list needs from other pages are placeholders filled in at
``doctree-resolved``, when every page has been read. Pages holding such a view
are re-read whenever any page with needs changes (see :func:`_outdated_views`),
because sphinx-needs' own incremental build leaves them stale; pages showing a
need through a role or a back-link are handled in :mod:`.freshness`.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.docutils import SphinxDirective

from ..grading import SETTINGS_FILE, claim_assertion, load_settings, rating_badge

VIEW_DOCS_KEY = "guideline_view_docs"
NEED_DOCS_KEY = "guideline_need_docs"


class view_placeholder(nodes.General, nodes.Element):
    """Replaced by a table once all needs are known."""


def mark_as_view(env: BuildEnvironment, docname: str) -> None:
    """Record that ``docname`` shows needs from other pages (re-read when they change)."""
    getattr(env, VIEW_DOCS_KEY).add(docname)


def _init_env(app: Sphinx, env: BuildEnvironment, *_: Any) -> None:
    for key in (VIEW_DOCS_KEY, NEED_DOCS_KEY):
        if not hasattr(env, key):
            setattr(env, key, set())


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    _init_env(app, env)
    getattr(env, VIEW_DOCS_KEY).discard(docname)
    getattr(env, NEED_DOCS_KEY).discard(docname)


def _merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    _init_env(app, env)
    for key in (VIEW_DOCS_KEY, NEED_DOCS_KEY):
        getattr(env, key).update(getattr(other, key, set()) & docnames)


def _note_need_docs(app: Sphinx, doctree: nodes.document) -> None:
    from sphinx_needs.nodes import Need

    if any(True for _ in doctree.findall(Need)):
        getattr(app.env, NEED_DOCS_KEY).add(app.env.docname)


def _outdated_views(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str],
                    removed: set[str]) -> list[str]:
    """When a page with needs changes, every view page must be rebuilt too."""
    _init_env(app, env)
    touched = added | changed | removed
    if not touched:
        return []
    views = getattr(env, VIEW_DOCS_KEY)
    need_docs = getattr(env, NEED_DOCS_KEY)
    # Only pages that merely show needs (views without needs of their own) can change
    # without changing what the other views show; any other touched page may add,
    # change or remove needs.
    if touched - (views - need_docs):
        return sorted(views - touched)
    return []


NEEDS_CACHE_ATTR = "_guideline_view_needs"


def _needs(app: Sphinx) -> list[dict[str, Any]]:
    """All needs as plain dicts, collected once per write phase for every view page.

    Converting 10,000 need items costs seconds; each view page used to repeat it.
    """
    cached = getattr(app, NEEDS_CACHE_ATTR, None)
    if cached is None:
        from sphinx_needs.data import SphinxNeedsData

        cached = [dict(need) for need in SphinxNeedsData(app.env).get_needs_view().values()]
        setattr(app, NEEDS_CACHE_ATTR, cached)
    return cached


def _forget_needs(app: Sphinx, *_: Any) -> None:
    """Needs may change with every read phase (``env-updated`` runs after it)."""
    setattr(app, NEEDS_CACHE_ATTR, None)


def anchor_uri(app: Sphinx, fromdoc: str, todoc: str, anchor: str) -> str:
    """Link to an anchor on another page; single-file builders (singlehtml, PDF) need "#anchor"."""
    page = app.builder.get_relative_uri(fromdoc, todoc)
    return f"#{anchor}" if page.startswith("#") else f"{page}#{anchor}"


def _need_ref(app: Sphinx, fromdoc: str, need: dict[str, Any], text: str | None = None) -> nodes.Node:
    uri = anchor_uri(app, fromdoc, need["docname"], need["id"])
    ref = nodes.reference("", "", internal=True, refuri=uri)
    ref += nodes.Text(text or need["id"])
    return ref


def _table(headers: list[str], rows: list[list[nodes.Node | str]], classes: list[str]) -> nodes.table:
    table = nodes.table(classes=["guideline-table", *classes])
    group = nodes.tgroup(cols=len(headers))
    table += group
    for _ in headers:
        group += nodes.colspec(colwidth=1)
    head = nodes.thead()
    group += head
    row = nodes.row()
    for title in headers:
        row += nodes.entry("", nodes.paragraph(text=title))
    head += row
    body = nodes.tbody()
    group += body
    for cells in rows:
        row = nodes.row()
        for cell in cells:
            entry = nodes.entry()
            para = nodes.paragraph()
            if isinstance(cell, str):
                para += nodes.Text(cell)
            else:
                para += cell
            entry += para
            row += entry
        body += row
    return table


def _inline_list(items: list[nodes.Node]) -> nodes.inline:
    out = nodes.inline()
    for index, item in enumerate(items):
        if index:
            out += nodes.Text(", ")
        out += item
    return out


class _ViewDirective(SphinxDirective):
    view = ""
    has_content = False
    option_spec = {"status": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        mark_as_view(self.env, self.env.docname)
        node = view_placeholder(view=self.view, options=dict(self.options))
        self.set_source_info(node)
        return [node]


class RecSummary(_ViewDirective):
    """Overview table of all recommendations (optionally only some statuses)."""

    view = "rec-summary"


class Traceability(_ViewDirective):
    """Recommendation -> claims -> sources -> references."""

    view = "traceability"


def _rec_sort_key(need: dict[str, Any]) -> tuple[str, str]:
    return (need["docname"], need["id"])


def _settings(app: Sphinx):
    return load_settings(app.srcdir)


def render_rec_summary(app: Sphinx, fromdoc: str, needs: list[dict[str, Any]], options: dict) -> nodes.Node:
    """Graded recommendations, then good practice statements, each counted on its own."""
    wanted = {s.strip() for s in options.get("status", "").split(",") if s.strip()}
    settings = _settings(app)
    box = nodes.container(classes=["rec-summary-box"])
    for kind, label in (("rec", "Graded recommendations"), ("gps", "Good practice statements (ungraded)")):
        items = sorted((n for n in needs if n["type"] == kind and (not wanted or n["status"] in wanted)),
                       key=_rec_sort_key)
        if not items:
            continue
        active = sum(1 for n in items if n.get("status") in ("draft", "approved"))
        box += nodes.rubric(text=f"{label}: {active} active, {len(items) - active} superseded or retired")
        rows = [[_need_ref(app, fromdoc, n), n["title"], rating_badge(n, settings)[0],
                 n.get("status") or "", n.get("introduced") or ""] for n in items]
        box += _table(["ID", "Statement" if kind == "gps" else "Recommendation", "Rating", "Status", "Since"],
                      rows, ["rec-summary", f"rec-summary-{kind}"])
    return box


class KeyRecommendations(_ViewDirective):
    """The recommendations and statements the panel marked ``key: true``."""

    view = "key-recommendations"


def is_key(need: dict[str, Any]) -> bool:
    return need.get("key") in (True, "true", "True", "yes") and need.get("status") in ("draft", "approved")


def render_key_recommendations(app: Sphinx, fromdoc: str, needs: list[dict[str, Any]], options: dict) -> nodes.Node:
    settings = _settings(app)
    items = sorted((n for n in needs if n["type"] in ("rec", "gps") and is_key(n)), key=_rec_sort_key)
    listing = nodes.bullet_list(classes=["key-recommendations"])
    for need in items:
        para = nodes.paragraph()
        para += _need_ref(app, fromdoc, need)
        para += nodes.Text(f": {need['title']} ({rating_badge(need, settings)[0]})")
        listing += nodes.list_item("", para)
    if not items:
        return nodes.paragraph(text="The panel has marked no key recommendations in this edition.")
    return listing


def render_traceability(app: Sphinx, fromdoc: str, needs: list[dict[str, Any]], options: dict) -> nodes.Node:
    by_id = {n["id"]: n for n in needs}
    sources = {n.get("cite"): n for n in needs if n["type"] == "source"}
    rows: list[list[nodes.Node | str]] = []
    for rec in sorted((n for n in needs if n["type"] in ("rec", "gps")), key=_rec_sort_key):
        claims = [by_id[c] for c in rec.get("based_on", []) if c in by_id]
        claim_cells, source_cells, ref_cells = [], [], []
        seen_sources: set[str] = set()
        for claim in claims:
            claim_cells.append(_need_ref(app, fromdoc, claim, f"{claim['id']} ({claim_assertion(claim) or '?'})"))
            key = claim.get("cite") or ""
            if key in seen_sources:
                continue
            seen_sources.add(key)
            source = sources.get(key)
            if source:
                source_cells.append(_need_ref(app, fromdoc, source, f"{source['id']} ({source.get('reliability')})"))
            anchor = nodes.make_id("cite-" + key)
            uri = anchor_uri(app, fromdoc, app.config.guideline_references_doc, anchor)
            ref = nodes.reference("", key, internal=True, refuri=uri)
            ref_cells.append(ref)
        rows.append([_need_ref(app, fromdoc, rec), _inline_list(claim_cells), _inline_list(source_cells),
                     _inline_list(ref_cells)])
    return _table(["Recommendation", "Claims (panel assertion)", "Sources (reliability)", "References"],
                  rows, ["traceability"])


RENDERERS = {"rec-summary": render_rec_summary, "traceability": render_traceability,
             "key-recommendations": render_key_recommendations}


def register_renderer(name: str, renderer: Any) -> None:
    """Other modules (e.g. the integrity report) add views the same way."""
    RENDERERS[name] = renderer


def _fill_views(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    placeholders = list(doctree.findall(view_placeholder))
    if not placeholders:
        return
    needs = _needs(app)
    for node in placeholders:
        node.replace_self(RENDERERS[node["view"]](app, docname, needs, node["options"]))


class GradingTable(SphinxDirective):
    """The grading scheme from guideline.toml, the one place it is declared, with what each grade requires."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        settings = load_settings(self.env.srcdir)
        self.env.note_dependency(str(Path(self.env.srcdir) / SETTINGS_FILE))
        out: list[nodes.Node] = [nodes.paragraph(text=settings.scheme_name)]
        if settings.is_grade:
            for title, grades in (("Strength", settings.strengths), ("Direction", settings.directions),
                                  ("Certainty of evidence", settings.certainties)):
                out.append(_table([title, "Meaning"], [[g.code, g.meaning] for g in grades], ["grading"]))
            if settings.strong_certainties:
                text = ("A strong recommendation needs certainty " + " or ".join(settings.strong_certainties)
                        + ", unless the panel declares a paradigmatic situation (field paradigm)")
                text += (": " + "; ".join(settings.paradigms) + ".") if settings.paradigms else "."
                out.append(nodes.paragraph(text=text))
        else:
            out.append(_table(["Level of evidence", "Meaning"],
                              [[g.code, g.meaning] for g in settings.levels], ["grading"]))
            out.append(_table(["Grade of recommendation", "Meaning"],
                              [[g.code, g.meaning] for g in settings.grades], ["grading"]))
        if settings.requirements:
            keyed = settings.certainties if settings.is_grade else settings.grades
            rows = []
            for g in keyed:
                req = settings.requirements.get(g.code)
                if req is None:
                    continue
                rows.append([g.code, ", ".join(req.levels) or "any",
                             ", ".join(req.source_kinds) or "any kind",
                             req.min_reliability or "any", ", ".join(req.assertions)])
            head = "Certainty" if settings.is_grade else "Grade"
            out.append(nodes.rubric(text=f"What each {head.lower()} requires (enforced by the validator)"))
            out.append(_table([head, "Levels allowed", "Source kinds", "Reliability at least",
                               "Panel assertion of the claim"], rows, ["grading", "grading-requirements"]))
        return out


_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")


def is_chinese(text: str) -> bool:
    """A paragraph is Chinese when most of its letters are CJK ideographs or punctuation."""
    letters = [c for c in text if not c.isspace()]
    return bool(letters) and sum(bool(_CJK.match(c)) for c in letters) > len(letters) / 2


class SeedText(SphinxDirective):
    """The verbatim text of a seed, one paragraph per line, Chinese marked as such.

    The path is relative to the repository root and must lie under ``seeds/``.
    """

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        from .safety import read_seed

        found = read_seed(self, self.arguments[0])  # reports a path outside seeds/ or bad bytes
        if not isinstance(found, str):
            return found
        text = unicodedata.normalize("NFC", found)
        box = nodes.container(classes=["seed-text"])
        for line in text.splitlines():
            if not line.strip():
                continue
            classes = ["language-zh-cn", "lang-zh"] if is_chinese(line) else []
            # literal_block would lose wrapping; a line_block keeps the words exactly.
            para = nodes.paragraph(classes=classes)
            para += nodes.Text(line)
            box += para
        return [box]


def setup(app: Sphinx) -> None:
    app.add_config_value("guideline_references_doc", "references", "env", types=(str,))
    # The repository root (holding seeds/), relative to the folder of conf.py.
    app.add_config_value("guideline_root", "..", "env", types=(str,))
    app.add_node(view_placeholder)
    app.add_directive("rec-summary", RecSummary)
    app.add_directive("traceability", Traceability)
    app.add_directive("key-recommendations", KeyRecommendations)
    app.add_directive("grading-table", GradingTable)
    app.add_directive("seed-text", SeedText)
    app.connect("env-before-read-docs", _init_env)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("doctree-read", _note_need_docs)
    app.connect("env-get-outdated", _outdated_views)
    app.connect("doctree-resolved", _fill_views)
    app.connect("env-updated", _forget_needs)
    # Pages showing another page's need through a role or a back-link (not a view).
    from . import freshness

    freshness.setup(app)
