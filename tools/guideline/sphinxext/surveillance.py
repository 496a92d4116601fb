"""Living surveillance in the build: the Surveillance page, edition triggers, notices on recommendations.

- ``{surveillance-status}``: the saved searches with their last run and next due
  date, the hits awaiting triage, the panel's decisions with reasons, and the
  recommendations a change marks; says plainly when no run is recorded.
- ``{surveillance-triggers}``: for each edition naming ``triggered_by`` in
  docs/editions.toml, the surveillance items that triggered it, with links.
- Every recommendation a change marks (:mod:`guideline.surveillance.impact`)
  gets a notice inside its content: a container with class ``evidence-changed``
  ("Evidence changed since last review: ..."), added before sphinx-needs turns
  the need into its card, so every card layout keeps it.

Pages holding needs depend on docs/surveillance.toml and the log, so a new run
or triage re-renders their notices. The findings themselves (errors fail
``-W``) come from the validator engine's hook, like every other rule.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from ..errors import GuidelineError
from ..presentation import state as presentation
from ..presentation.links import anchor_uri, need_link, permalink
from ..presentation.tables import table
from . import views
from .views import mark_as_view, view_placeholder

IMPACT_ATTR = "_guideline_surveillance_impact"
CSS = "surveillance.css"


def _root(app: Sphinx) -> Path:
    return (Path(app.confdir) / app.config.guideline_root).resolve()


def _load(app: Sphinx) -> Any:
    """(config, log) or None; GuidelineError when either is malformed."""
    from ..surveillance import impact

    return impact.load(Path(app.srcdir), _root(app))


def _today() -> dt.date:
    from ..check.engine import edition_date

    return edition_date()


def hit_anchor(hit_id: str) -> str:
    return "surv-" + nodes.make_id(hit_id)


def _state(app: Sphinx) -> dict[str, Any]:
    """Config, log and impact, computed once per write phase (cleared at env-updated)."""
    cached = getattr(app, IMPACT_ATTR, None)
    if cached is not None:
        return cached
    from ..check.bibfile import parse_bib
    from ..surveillance import cited, impact
    from .integrity import _display, _to_need

    state: dict[str, Any] = {"config": None, "log": None, "impact": None, "error": ""}
    try:
        loaded = _load(app)
    except GuidelineError as exc:
        state["error"] = str(exc)
        loaded = None
    if loaded is not None:
        config, log = loaded
        root = _root(app)
        entries: dict[str, Any] = {}
        for bib in getattr(app.config, "bibtex_bibfiles", []):
            path = (Path(app.confdir) / bib).resolve()
            if path.is_file():
                # Named as the integrity report names it: the parse it made is reused.
                for key, entry in parse_bib(path, _display(root, path)).entries.items():
                    entries.setdefault(key, entry)
        needs = [_to_need(app, root, item) for item in presentation.catalogue(app).needs.values()]
        state.update(config=config, log=log,
                     impact=impact.assess(needs, cited.from_entries(entries), config, log, _today()))
    setattr(app, IMPACT_ATTR, state)
    return state


def _forget(app: Sphinx, *_: Any) -> None:
    setattr(app, IMPACT_ATTR, None)


# -- dependencies ----------------------------------------------------------------

def _watched_files(app: Sphinx) -> list[Path]:
    from ..surveillance import config as configmod

    files = [Path(app.srcdir) / configmod.CONFIG_FILE]
    try:
        config = configmod.load(Path(app.srcdir), _root(app))
    except GuidelineError:
        return files
    return files + ([config.log] if config else [])


def _note_dependencies(app: Sphinx, doctree: nodes.document) -> None:
    from sphinx_needs.nodes import Need

    if any(True for _ in doctree.findall(Need)):
        for path in _watched_files(app):
            if path.is_file():
                app.env.note_dependency(str(path))


# -- notices on recommendations --------------------------------------------------------

def _surveillance_uri(app: Sphinx, fromdoc: str, anchor: str) -> str | None:
    doc = app.config.guideline_surveillance_doc
    if doc not in app.env.found_docs:
        return None
    return anchor_uri(app, fromdoc, doc, anchor)


def _hit_ref(app: Sphinx, fromdoc: str, hit: Any) -> nodes.Node:
    uri = _surveillance_uri(app, fromdoc, hit_anchor(hit.id))
    if uri is None:
        return nodes.reference("", hit.id, refuri=hit.url)
    return nodes.reference("", hit.id, internal=True, refuri=uri)


def notice_node(app: Sphinx, fromdoc: str, notices: list[Any]) -> nodes.container:
    box = nodes.container(classes=["evidence-changed"])
    for notice in notices:
        para = nodes.paragraph(classes=[f"evidence-changed-{notice.severity}"])
        para += nodes.strong(text="Evidence changed since last review: ")
        para += nodes.Text(f"{notice.text} (")
        para += _hit_ref(app, fromdoc, notice.hit)
        para += nodes.Text(f", found {notice.hit.found}).")
        box += para
    return box


def _add_notices(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    from sphinx_needs.nodes import Need

    need_nodes = list(doctree.findall(Need))
    if not need_nodes:
        return
    impact = _state(app)["impact"]
    if impact is None or not impact.notices:
        return
    for node in need_nodes:
        need_id = node["ids"][0] if node.get("ids") else ""
        if need_id in impact.notices:
            node += notice_node(app, docname, impact.notices[need_id])


# -- the Surveillance page -----------------------------------------------------------

class SurveillanceStatus(SphinxDirective):
    """Saved searches, last and next run, open hits, decisions, marked recommendations."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        mark_as_view(self.env, self.env.docname)
        for path in _watched_files(self.env.app):
            self.env.note_dependency(str(path))
        node = view_placeholder(view="surveillance-status", options={})
        self.set_source_info(node)
        return [node]


class SurveillanceTriggers(SphinxDirective):
    """The surveillance items each edition names as its trigger (``triggered_by``)."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        mark_as_view(self.env, self.env.docname)
        root = (Path(self.env.srcdir) / self.config.guideline_root).resolve()
        for path in (*_watched_files(self.env.app), root / "docs" / "editions.toml"):
            self.env.note_dependency(str(path))
        node = view_placeholder(view="surveillance-triggers", options={})
        self.set_source_info(node)
        return [node]


def _link(text: str, url: str) -> nodes.reference:
    return nodes.reference("", text, refuri=url)


def _anchored(hit: Any) -> nodes.inline:
    out = nodes.inline(ids=[hit_anchor(hit.id)])
    out += _link(hit.id, hit.url)
    return out


def _queries(config: Any) -> list[nodes.Node]:
    """Each search's queries exactly as sent, so a reader can rerun them."""
    out: list[nodes.Node] = []
    for search in config.searches:
        out.append(nodes.paragraph("", "", nodes.strong(text=f"{search.title} ({search.id})")))
        if search.pubmed:
            out.append(nodes.paragraph(text="PubMed (E-utilities esearch, by Entrez date since the last run):"))
            out.append(nodes.literal_block(search.pubmed, search.pubmed, language="text"))
        if search.ctgov:
            params = "\n".join(f"{name}={value}" for name, value in search.ctgov.params().items())
            out.append(nodes.paragraph(text="ClinicalTrials.gov (API v2 /studies, updated since the last run):"))
            out.append(nodes.literal_block(params, params, language="text"))
    out.append(nodes.paragraph(text="Cited identifiers: Crossref updates (retraction, withdrawal, expression of "
                                    "concern, correction) of every DOI in references.bib; the PubMed publication "
                                    "type \u201cRetracted Publication\u201d of every PMID; status and posted "
                                    "results of every NCT number."))
    return out


def render_status(app: Sphinx, fromdoc: str, needs: list[dict[str, Any]], options: dict) -> nodes.Node:
    from ..surveillance.config import CITED
    from ..surveillance.watch import schedule

    box = nodes.container(classes=["surveillance-status"])
    state = _state(app)
    if state["error"]:
        box += nodes.paragraph(text=f"The surveillance data could not be read: {state['error']}")
        return box
    config, log, impact = state["config"], state["log"], state["impact"]
    if config is None:
        box += nodes.paragraph(text="This guideline has no saved searches (docs/surveillance.toml).")
        return box
    today = _today()
    if not log.runs:
        warn = nodes.paragraph(classes=["surveillance-never-run"])
        warn += nodes.strong(text="No surveillance run has been recorded yet. ")
        warn += nodes.Text(f"The searches below are defined but have never been run against the registries, "
                           f"so nothing is known here about evidence published or registered since "
                           f"{config.since.isoformat()}. Run `guideline watch` on a machine that can reach "
                           f"PubMed, ClinicalTrials.gov and Crossref, and commit {config.log_display}.")
        box += warn
    else:
        last = log.runs[-1]
        box += nodes.paragraph(text=f"{len(log.runs)} run(s) recorded in {config.log_display}; the last on "
                                    f"{last.date}. Status as of {today.isoformat()}.")

    rows: list[list[Any]] = []
    for search_id in config.ids():
        search = config.search(search_id)
        interval = config.interval(search_id) or 0
        last_text, due = schedule(log, config, search_id, today)
        attempt = log.last_attempt(search_id)
        if attempt and not attempt.searches[search_id].get("ok"):
            last_text += f" (attempt on {attempt.date} failed)"
        if search is None:  # the cited identifiers
            title, scope = "Cited identifiers (cited)", "every recommendation resting on a cited work"
        else:
            title = f"{search.title} ({search_id})"
            scope = ", ".join([*(f"topic {t}" for t in search.topics), *search.recommendations])
        rows.append([title, scope, f"{interval} days", last_text, due])
    box += nodes.rubric(text="Saved searches")
    box += table(["Search", "Bears on", "Every", "Last search", "Next due"], rows, ["surveillance-searches"])

    box += nodes.rubric(text="Hits awaiting triage")
    pending = log.open_hits()
    if pending:
        box += table(["Hit", "Kind", "Title", "Date", "Found", "Search"],
                            [[_anchored(h), h.kind, h.title, h.date or "-", h.found, h.search] for h in pending],
                            ["surveillance-open"])
    else:
        box += nodes.paragraph(text="None." if log.runs else "None: no run recorded.")

    box += nodes.rubric(text="Decisions")
    decided = log.decided_hits()
    if decided:
        box += table(["Hit", "Title", "Decision", "Reason", "By", "Date"],
                            [[_anchored(h), h.title, h.state, h.reason, h.by, h.decided] for h in decided],
                            ["surveillance-decisions"])
    else:
        box += nodes.paragraph(text="None recorded.")

    box += nodes.rubric(text="Recommendations marked by a change in the evidence")
    marked = sorted(impact.notices.items())
    if marked:
        rows = []
        for rec_id, notices in marked:
            cat = presentation.catalogue(app)
            for notice in notices:
                # In words, with the stable ID as a small permalink (as in traceability).
                ref = [need_link(app, fromdoc, cat, rec_id), nodes.Text(" "), permalink(app, fromdoc, cat, rec_id)]
                rows.append([ref, notice.severity, notice.text, _hit_ref(app, fromdoc, notice.hit)])
        box += table(["Recommendation", "Severity", "Change", "Hit"], rows, ["surveillance-impact"])
    else:
        box += nodes.paragraph(text="None.")

    box += nodes.rubric(text="Queries")
    box.extend(_queries(config))
    return box


def render_triggers(app: Sphinx, fromdoc: str, needs: list[dict[str, Any]], options: dict) -> nodes.Node:
    from ..surveillance import triggers

    box = nodes.container(classes=["surveillance-triggers"])
    log = _state(app)["log"]
    hits = log.hits if log is not None else {}
    listed = [e for e in reversed(triggers.editions(_root(app))) if e.triggered_by]
    if not listed:
        box += nodes.paragraph(text="No edition in docs/editions.toml names a surveillance item as its trigger "
                                    "(triggered_by) yet.")
        return box
    for edition in listed:
        box += nodes.paragraph(text=f"Edition {edition.id} ({edition.date}) was triggered by:")
        items = []
        for ref in edition.triggered_by:
            hit = hits.get(ref)
            para = nodes.paragraph()
            if hit is None:
                para += nodes.literal(text=ref)
                para += nodes.Text(" (not in the surveillance log)")
            else:
                para += _hit_ref(app, fromdoc, hit)
                para += nodes.Text(f": {hit.title} ({hit.kind}, {hit.state}; ")
                para += _link("source", hit.url)
                para += nodes.Text(")")
            items.append(para)
        box += _bullets(items)
    return box


def _bullets(items: list[nodes.paragraph]) -> nodes.bullet_list:
    out = nodes.bullet_list()
    for item in items:
        out += nodes.list_item("", item)
    return out


def setup(app: Sphinx) -> None:
    app.add_config_value("guideline_surveillance_doc", "surveillance", "env", types=(str,))
    app.add_directive("surveillance-status", SurveillanceStatus)
    app.add_directive("surveillance-triggers", SurveillanceTriggers)
    views.register_renderer("surveillance-status", render_status)
    views.register_renderer("surveillance-triggers", render_triggers)
    app.connect("doctree-read", _note_dependencies)
    # Before sphinx-needs (default priority 500) replaces need nodes by their cards.
    app.connect("doctree-resolved", _add_notices, priority=450)
    app.connect("env-updated", _forget)
    app.connect("builder-inited", lambda app: app.add_css_file(CSS))
