"""Every generated view of the guideline, one function each.

A view is registered with ``@view("name")`` and becomes the directive
``{name}`` (see :mod:`guideline.sphinxext.views`): its page is re-read
whenever any need changes, and the function runs once all needs are known.
It receives a :class:`Context` and returns docutils nodes, which HTML and the
PDF render alike.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from docutils import nodes

from ..grading import ASSERTIONS, rating_badge, rating_terms
from . import changes, graph
from .card import (NOT_ASSERTED, NOT_FOR_CLINICAL_USE, RELIABILITY_MEANINGS, VERIFICATION_MEANINGS, _readable, badge,
                   judged_of, rating)
from .links import anchor_uri, joined, need_link, permalink, reference_link
from .numbering import in_force
from .state import Catalogue
from .tables import table
from .words import first_paragraph, inline_markup, need_words, sentence, short_title


@dataclass
class Context:
    app: Any
    fromdoc: str
    cat: Catalogue
    options: dict[str, str]
    blocks: Any = None  # guideline.sphinxext.viewcache.ViewBlocks, or None: render every block


def _block(ctx: Context, kind: str, need_ids: list[str], cites: list[str], extra: Any,
           render: Callable[[], nodes.Node]) -> nodes.Node:
    """A part of a view that depends only on the named needs and references (and ``extra``):
    with ``ctx.blocks`` it is written from earlier HTML while they are unchanged."""
    if ctx.blocks is None:
        return render()
    return ctx.blocks.block(ctx.cat, ctx.fromdoc, kind, need_ids, cites, extra, render)


Render = Callable[[Context], nodes.Node | list[nodes.Node]]
VIEWS: dict[str, Render] = {}
OPTIONS: dict[str, tuple[str, ...]] = {}


def view(name: str, options: tuple[str, ...] = ()) -> Callable[[Render], Render]:
    def register(func: Render) -> Render:
        VIEWS[name] = func
        OPTIONS[name] = options
        return func

    return register


def _link(ctx: Context, need_id: str, text: str | None = None) -> nodes.Node:
    return need_link(ctx.app, ctx.fromdoc, ctx.cat, need_id, text)


def _para(*parts: nodes.Node | str, classes: tuple[str, ...] = ()) -> nodes.paragraph:
    para = nodes.paragraph(classes=list(classes))
    for part in parts:
        para += nodes.Text(part) if isinstance(part, str) else part
    return para


def _chapter_heading(chapter: Any) -> nodes.Node:
    return nodes.rubric(text=f"{chapter.number}\u2002{chapter.title}", classes=["chapter-rubric"])


# -- recommendations ------------------------------------------------------------

def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@view("rec-summary", options=("status",))
def rec_summary(ctx: Context) -> list[nodes.Node]:
    """Graded recommendations in force, then good practice statements in force, each counted and
    listed apart, by chapter and numbered; then those no longer in force, with what replaced them."""
    cat = ctx.cat
    wanted = {s.strip() for s in ctx.options.get("status", "").split(",") if s.strip()}
    shown = [n for n in cat.of_type("rec", "gps") if not wanted or n.get("status") in wanted]
    former = [n for n in shown if not in_force(n)]
    former_counts = Counter(n["type"] for n in former)
    parts = [
        ("rec", f"Graded recommendations: {sum(1 for n in shown if n['type'] == 'rec' and in_force(n))} in force",
         lambda n: n["type"] == "rec" and in_force(n), ["No.", "Recommendation", "Rating", "Status", "Since"],
         [6, 50, 18, 14, 12]),
        ("gps", f"Good practice statements (ungraded): "
                f"{sum(1 for n in shown if n['type'] == 'gps' and in_force(n))} in force",
         lambda n: n["type"] == "gps" and in_force(n), ["No.", "Statement", "Status", "Since"], [6, 68, 14, 12]),
        ("former", "No longer in force: " + " and ".join(
            _plural(former_counts[kind], word) for kind, word in (("rec", "graded recommendation"),
                                                                  ("gps", "good practice statement"))
            if former_counts[kind]) + " (superseded or retired; kept so that a reader can follow what changed)",
         lambda n: not in_force(n), ["Recommendation", "Rating", "Status", "Since"], [44, 18, 26, 12]),
    ]
    out: list[nodes.Node] = []
    for kind, heading, belongs, headers, widths in parts:
        if not any(belongs(n) for n in shown):
            continue
        section = nodes.container(classes=["rec-summary-part", f"rec-summary-{kind}"])
        section += nodes.rubric(text=heading, classes=["summary-part"])
        for chapter in cat.numbering.chapters:
            ids = [i for i in chapter.ids
                   if belongs(cat.needs[i]) and (not wanted or cat.needs[i].get("status") in wanted)]
            if ids:
                section += _chapter_heading(chapter)
                shown_ids = [*ids, *(t for i in ids for t in cat.needs[i].get("supersedes_back") or [] if t)]
                section += _block(ctx, "rec-summary", shown_ids, [], (kind, headers, widths),
                                  lambda ids=ids, headers=headers, kind=kind, widths=widths: table(
                                      headers, [_summary_row(ctx, i, "Rating" in headers, numbered=kind != "former")
                                                for i in ids], ["rec-summary", f"rec-summary-{kind}"], widths=widths))
        out.append(section)
    return out


def _summary_row(ctx: Context, need_id: str, rated: bool, numbered: bool = True) -> list[Any]:
    """No., title, rating (when rated), status (words), edition introduced."""
    need = ctx.cat.needs[need_id]
    number = ctx.cat.numbering.number(need_id)
    status = "" if need.get("status") == "approved" else sentence(need.get("status") or "")
    later = [t for t in need.get("supersedes_back") or [] if t]
    status_cell: list[nodes.Node] = [nodes.Text(status)] if status else []
    if later and not in_force(need):
        status_cell += [nodes.Text(" by "), joined([_link(ctx, t) for t in later])]
    title = _para(nodes.strong(text=need.get("title") or ""), classes=("rec-title",))
    if not numbered:  # the words say which kind it was; the title links to its card
        title = _para(_link(ctx, need_id, need.get("title") or ""), classes=("rec-title",))
    row = [_link(ctx, need_id, number or "\u2013"), title] if numbered else [title]
    if rated:
        row.append(rating(need, ctx.cat) or "")
    return row + [status_cell or "In force", need.get("introduced") or ""]


@view("key-recommendations")
def key_recommendations(ctx: Context) -> list[nodes.Node]:
    """The panel's key recommendations (``key: true``), numbered; all in force when none is marked."""
    ids, fallback = ctx.cat.key_recommendations()
    items = nodes.bullet_list(classes=["key-recommendations"])
    for need_id in ids:
        need = ctx.cat.needs[need_id]
        item = nodes.list_item()
        rated = rating(need, ctx.cat, after_words=True)
        item += _para(_link(ctx, need_id), *((" ", rated) if rated else ()), ": ",
                      need.get("title") or "", classes=("key-rec",))
        items += item
    out: list[nodes.Node] = [items]
    if fallback:
        out.insert(0, _para("The panel has not marked key recommendations: every recommendation in force "
                            "is listed.", classes=("key-note",)))
    return out


# -- traceability ---------------------------------------------------------------

def _claim_box(ctx: Context, claim: dict[str, Any]) -> graph.Box:
    judged = judged_of(claim)
    return graph.box(claim["id"], f"Claim \u00b7 {judged}", claim.get("title") or "",
                     f"{claim.get('title')} ({claim['id']}; {judged}: {VERIFICATION_MEANINGS.get(judged, '')})",
                     graph.CLAIM_COLOURS.get(judged, graph.GREY),
                     anchor_uri(ctx.app, ctx.fromdoc, claim["docname"], claim["id"]))


def _source_box(ctx: Context, source: dict[str, Any]) -> graph.Box:
    reliability = source.get("reliability") or ""
    ref = ctx.cat.references.get(source.get("cite") or "")
    head = f"Source \u00b7 {reliability}" + (f" \u00b7 [{ref.label}]" if ref else "")
    return graph.box(source["id"], head, short_title(source.get("title") or ""),
                     f"{source.get('title')} ({source['id']}; {RELIABILITY_MEANINGS.get(reliability, reliability)})",
                     graph.RELIABILITY_COLOURS.get(reliability, graph.GREY),
                     anchor_uri(ctx.app, ctx.fromdoc, source["docname"], source["id"]))


def evidence_graph(ctx: Context, rec: dict[str, Any]) -> nodes.Node:
    from .nodes import svg

    cat = ctx.cat
    claims = [cat.needs[c] for c in rec.get("based_on") or [] if c in cat.needs]
    sources: list[dict[str, Any]] = []
    edges = []
    for claim in claims:
        source = cat.sources_by_cite.get(claim.get("cite") or "")
        if source:
            edges.append((claim["id"], source["id"]))
            if source not in sources:
                sources.append(source)
    words = need_words(rec, cat.numbering)
    text, meaning = rating_badge(rec, cat.settings)
    rec_box = graph.box(rec["id"], words, rec.get("title") or "", f"{words}: {rec.get('title')} ({rec['id']})",
                        "#1f4e79", anchor_uri(ctx.app, ctx.fromdoc, rec["docname"], rec["id"]))
    drawing = graph.evidence_svg(rec_box, [_claim_box(ctx, c) for c in claims],
                                 [_source_box(ctx, s) for s in sources], edges,
                                 f"Evidence graph of {words}: {len(claims)} claims from {len(sources)} sources")
    box = nodes.container(classes=["evidence-graph-box"])
    box += svg(svg=drawing)
    return box


@view("traceability")
def traceability(ctx: Context) -> list[nodes.Node]:
    """Recommendation -> claims -> sources -> numbered references, in words, with the graph."""
    cat = ctx.cat
    out: list[nodes.Node] = [_graph_legend()]
    for chapter in cat.numbering.chapters:
        out.append(_chapter_heading(chapter))
        for rec_id in sorted(chapter.ids, key=lambda i: (not in_force(cat.needs[i]), chapter.ids.index(i))):
            out.append(_block(ctx, "trace-rec", *_trace_inputs(cat, rec_id), None,
                              lambda rec_id=rec_id: _trace_block(ctx, rec_id)))
    return out


def _trace_inputs(cat: Catalogue, rec_id: str) -> tuple[list[str], list[str]]:
    """What a recommendation's block shows: the recommendation, its claims, their sources; their references."""
    rec = cat.needs[rec_id]
    claim_ids = list(rec.get("based_on") or [])
    cites = [(cat.needs.get(c) or {}).get("cite") or "" for c in claim_ids]
    sources = [(cat.sources_by_cite.get(k) or {}).get("id") or "" for k in cites]
    return [rec_id, *claim_ids, *sources], cites


def _trace_block(ctx: Context, rec_id: str) -> nodes.Node:
    cat = ctx.cat
    rec = cat.needs[rec_id]
    block = nodes.container(classes=["trace-rec"])
    rated = rating(rec, cat, after_words=True)
    # A number needs the title beside it; the words of a former one already quote it.
    title = f"{rec.get('title') or ''} " if cat.numbering.number(rec_id) else ""
    block += _para(nodes.strong("", "", _link(ctx, rec_id)), " ", *((rated, " ") if rated else ()),
                   title, permalink(ctx.app, ctx.fromdoc, cat, rec_id), classes=("trace-head",))
    block += evidence_graph(ctx, rec)
    rows = []
    for claim_id in rec.get("based_on") or []:
        claim = cat.needs.get(claim_id)
        if claim is None:
            continue
        judged = judged_of(claim)
        source = cat.sources_by_cite.get(claim.get("cite") or "")
        reliability = (source or {}).get("reliability") or ""
        rows.append([
            [_link(ctx, claim_id, claim.get("title")), nodes.Text(" "),
             permalink(ctx.app, ctx.fromdoc, cat, claim_id)],
            badge(judged, VERIFICATION_MEANINGS.get(judged, judged), [f"judged-{judged.replace(' ', '-')}"])
            if judged else "",
            [_link(ctx, source["id"]), nodes.Text(" "),
             badge(reliability, RELIABILITY_MEANINGS.get(reliability, reliability),
                   [f"reliability-{reliability}"])] if source else "publication",
            reference_link(ctx.app, ctx.fromdoc, cat, claim["cite"]) if claim.get("cite") else "",
        ])
    block += table(["Claim", "Panel assertion", "Source (reliability)", "Reference"], rows, ["traceability"],
                   widths=[46, 14, 32, 8])
    return block


def _graph_legend() -> nodes.Node:
    para = _para("Colours: claims by the panel's assertion ", classes=("graph-legend",))
    for word in (*ASSERTIONS, NOT_ASSERTED):
        para += nodes.inline(text=word, classes=["legend-swatch", f"judged-{word.replace(' ', '-')}"])
        para += nodes.Text(" ")
    para += nodes.Text("; sources by reliability ")
    for word in ("high", "moderate", "low", "unreliable"):
        para += nodes.inline(text=word, classes=["legend-swatch", f"reliability-{word}"])
        para += nodes.Text(" ")
    return para


# -- what's new -----------------------------------------------------------------

@view("whats-new")
def whats_new(ctx: Context) -> nodes.Node:
    """This edition's changes against its predecessor (from the edition builder's JSON)."""
    cat = ctx.cat
    data = cat.whats_new
    box = nodes.container(classes=["whats-new"])
    if not data:
        box += _para("The list of changes is generated when an edition is built (guideline edition build).")
        return box
    recs = data["recommendations"]
    titles = data.get("titles") or {}
    readable = _readable(ctx.app, cat)
    if data.get("from"):
        box += _para(f"Changes in edition {data['to']} since edition {data['from']}.")
    else:
        box += _para(f"Edition {data['to']} is the first edition: every recommendation is new.")

    def section(title: str, body: list[nodes.Node]) -> None:
        box.append(nodes.rubric(text=title))
        box.extend(body or [_para("None.")])

    def items(ids: list[str]) -> list[nodes.Node]:
        out = nodes.bullet_list()
        for need_id in ids:
            need = cat.needs.get(need_id)
            item = nodes.list_item()
            if need:
                numbered = bool(cat.numbering.number(need_id))  # otherwise the words carry the title
                item += _para(_link(ctx, need_id), f": {need.get('title') or ''}" if numbered else "")
            else:
                item += _para(f"\u201c{titles.get(need_id) or 'an item no longer in the guideline'}\u201d")
            out += item
        return [out] if ids else []

    section("Recommendations added", items(recs["added"]))
    changed: list[nodes.Node] = []
    for change in recs["changed"]:
        need_id = change["id"]
        notes = [f"{name} {old or '-'} \u2192 {new or '-'}" for name, (old, new) in sorted(change["fields"].items())]
        title = (cat.needs.get(need_id) or {}).get("title", "") if cat.numbering.number(need_id) else ""
        changed.append(_para(_link(ctx, need_id), f": {title}" if title else "",
                             f" ({'; '.join(notes)})" if notes else "", classes=("change-head",)))
        if change.get("title_diff"):
            changed.append(changes.diff_paragraph(change["title_diff"], readable))
        if change.get("text_diff"):
            changed.append(changes.diff_paragraph(change["text_diff"], readable))
    section("Recommendations changed", changed)
    section("Recommendations superseded", items(recs["superseded"]))
    section("Recommendations retired", items(recs["retired"]))
    if recs.get("removed"):
        section("Recommendations removed without a retirement record", items(recs["removed"]))
    section("Claims added", items(data["claims"]["added"]))
    section("Claims removed", items(data["claims"]["removed"]))
    refs = data["references"]
    added = [reference_link(ctx.app, ctx.fromdoc, cat, k) for k in refs["added"] if k in cat.references]
    section("References added", [_para(joined(added))] if added else [])
    if refs["removed"]:
        section("References no longer cited", [_para(f"{len(refs['removed'])} reference(s).")])
    history = data.get("history") or {}
    if history:
        rows = []
        order = [i for c in cat.numbering.chapters for i in c.ids]
        for rec_id in sorted(history, key=lambda i: (order.index(i) if i in order else len(order), i)):
            entry = history[rec_id]
            rows.append([_link(ctx, rec_id), entry.get("introduced_in") or "",
                         ", ".join(entry.get("changed_in", [])) or "\u2013", sentence(entry.get("status") or "")])
        box += nodes.rubric(text="History of each recommendation")
        box += table(["Recommendation", "Introduced in", "Changed in", "Status"], rows, ["rec-history"])
    return box


# -- handout --------------------------------------------------------------------

def handout_item_id(number: str) -> str:
    return "handout-rec-" + number.replace(".", "-")


@view("edition-handout")
def handout(ctx: Context) -> list[nodes.Node]:
    """The key recommendations by chapter, numbered as in the full PDF, and the grade key."""
    cat = ctx.cat
    ids, fallback = cat.key_recommendations()
    wanted = set(ids)
    readable = _readable(ctx.app, cat)
    box = nodes.container(classes=["handout"])
    used: list[list[str]] = []
    for chapter in cat.numbering.chapters:
        chosen = [i for i in chapter.numbered if i in wanted]
        if not chosen:
            continue
        group = nodes.container(classes=["handout-chapter"])
        group += _para(chapter.title, classes=("handout-topic",))
        for need_id in chosen:
            need = cat.needs[need_id]
            number = cat.numbering.number(need_id)
            text, _meaning = rating_badge(need, cat.settings)
            used.append(rating_terms(need, cat.settings))
            item = nodes.container(classes=["handout-rec"], ids=[handout_item_id(number)])
            head = _para(nodes.inline(text=f"{number}\u2002", classes=["handout-number"]),
                         nodes.strong(text=need.get("title") or ""), classes=("handout-head",))
            if text:
                head += nodes.Text(" ")
                head += nodes.inline(text=text, classes=["handout-grade"])
            if need.get("status") == "draft":
                head += nodes.inline(text=" draft", classes=["handout-draft"])
            item += head
            item += _para(_handout_text(readable, need), classes=("handout-text",))
            group += item
        box += group
    key = nodes.container(classes=["handout-key"], ids=["handout-key"])
    key += _para(nodes.strong(text="Key to ratings. "), rating_key(used), classes=("grade-key",))
    box += key
    if fallback:
        box["classes"].append("handout-all")
    return [box]


def rating_key(terms: Any) -> str:
    """The meanings of the ratings shown, each term once ("Grade B: ... Level V: ...").

    ``terms`` holds :func:`guideline.grading.rating_terms` of each rating shown.
    """
    parts: list[str] = []
    for need_terms in terms:
        for term in need_terms:
            if term.strip() and term.strip() not in parts:
                parts.append(term.strip())
    return " ".join(parts)


def _handout_text(readable: Callable[[str], str], need: dict[str, Any]) -> str:
    """The recommendation text without reference numbers (the handout has no reference list)."""
    import re

    text = readable(first_paragraph(need.get("content") or ""))
    return re.sub(r"\s*\[[\d,\s\u2013-]+\]", "", text)


# -- edition facts and grading --------------------------------------------------

@view("edition-facts")
def edition_facts(ctx: Context) -> nodes.Node:
    """The edition stamp as a table: the same values as the page stamp and the PDF title page."""
    from ..sphinxext.edition import edition_info

    info = edition_info(ctx.app.config)
    rows: list[list[Any]] = []
    if info["id"] == "unreleased":
        rows.append(["Edition", "Unreleased working copy (not an edition)"])
    else:
        rows += [["Edition", info["id"]], ["Date", info["date"] or "\u2013"],
                 ["Status", "DRAFT: not for clinical use" if info["status"] == "draft" else sentence(info["status"])]]
    if info.get("summary"):
        rows.append(["This edition", info["summary"]])
    if info.get("url"):
        rows.append(["Online", nodes.reference(info["url"], info["url"], refuri=info["url"])])
    box = table(None, rows, ["edition-facts"], widths=[20, 80])
    box["classes"].append("edition-facts-box")
    return box


@view("grading-table")
def grading_table(ctx: Context) -> list[nodes.Node]:
    """The grading scheme from guideline.toml, the one place it is declared, with what each grade requires."""
    settings = ctx.cat.settings
    out: list[nodes.Node] = [_para(settings.scheme_name)]
    if settings.is_grade:
        for title, grades in (("Strength", settings.strengths), ("Direction", settings.directions),
                              ("Certainty of evidence", settings.certainties)):
            out.append(table([title, "Meaning"], [[g.code, g.meaning] for g in grades], ["grading"], widths=[15, 85]))
        if settings.strong_certainties:
            text = ("A strong recommendation needs certainty " + " or ".join(settings.strong_certainties)
                    + ", unless the panel declares a paradigmatic situation")
            out.append(_para(text + ((": " + "; ".join(settings.paradigms) + ".") if settings.paradigms else ".")))
    else:
        out.append(table(["Level of evidence", "Meaning"], [[g.code, g.meaning] for g in settings.levels],
                         ["grading"], widths=[15, 85]))
        out.append(table(["Grade of recommendation", "Meaning"], [[g.code, g.meaning] for g in settings.grades],
                         ["grading"], widths=[15, 85]))
    if settings.requirements:
        keyed = settings.certainties if settings.is_grade else settings.grades
        head = "Certainty" if settings.is_grade else "Grade"
        rows = [[g.code, ", ".join(req.levels) or "any", ", ".join(req.source_kinds) or "any kind",
                 req.min_reliability or "any", ", ".join(req.assertions)]
                for g in keyed if (req := settings.requirements.get(g.code)) is not None]
        out.append(nodes.rubric(text=f"What each {head.lower()} requires (enforced by the validator)"))
        headers = [head, "Levels allowed", "Source kinds", "Reliability at least", "Panel assertion of the claim"]
        widths = [12, 16, 36, 14, 22]
        if settings.is_grade:  # levels of evidence belong to the A-E scheme
            headers, widths = headers[:1] + headers[2:], [14, 44, 16, 26]
            rows = [row[:1] + row[2:] for row in rows]
        out.append(table(headers, rows, ["grading", "grading-requirements"], widths=widths))
    return out


# -- evidence integrity ---------------------------------------------------------

def _without_keys(ctx: Context, message: str) -> str:
    """A validator message for readers: bib keys become reference numbers (or "an entry of references.bib")."""
    import re

    keys = ctx.cat.bib_keys
    if not keys:
        return message
    pattern = re.compile(r"['\u2018]?(?<![\w-])(" + "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))
                         + r")(?![\w-])['\u2019]?")

    def words(match: re.Match) -> str:
        ref = ctx.cat.references.get(match[1])
        return f"reference [{ref.label}]" if ref else "an entry of references.bib"

    return pattern.sub(words, message)


@view("integrity-report")
def integrity_report(ctx: Context) -> nodes.Node:
    """Counts of verified, unverified and contradicted items and the validator's findings."""
    from ..check.rules import RULES
    from ..sphinxext.integrity import RESULT_ATTR

    cat = ctx.cat
    box = nodes.container(classes=["integrity-report"])
    result = getattr(ctx.app, RESULT_ATTR, None)
    if result is None:
        box += _para("The integrity check did not run in this build.")
        return box
    s = result.summary
    claims, refs = s["claims"], s["references"]
    box += _para(f"Checked for the edition date {s['edition_date']}: {s['recommendations']} recommendations, "
                 f"{s['needs']} needs, {s['bib_entries']} references.")
    assertions = s.get("assertions") or {}
    # The legacy single field (verification) is shown only while claims still use it.
    legacy = [("Claims verified", claims.get("verified", 0)), ("Claims unverified", claims.get("unverified", 0)),
              ("Claims contradicted", claims.get("contradicted", 0))]
    box += table(["Item", "Count"], [[label, str(value)] for label, value in [
        *(legacy if any(claims.values()) or not any(assertions.values()) else []),
        *[(f"Claims asserted {name} by the panel", count) for name, count in assertions.items()],
        ("Good practice statements (ungraded)", s.get("good_practice_statements", 0)),
        ("Quotes found in their sources", f"{s['quotes_found']} of {s['quotes_checked']}"),
        ("Recommendations with a verified claim from a reliable source",
         f"{s['recommendations_supported']} of {s['recommendations']}"),
        ("References verified online (lockfile)", refs["verified"]),
        ("References unverified", refs["unverified"]),
        ("References retracted or with an expression of concern", refs["retracted"]),
        ("Bibliographic fields declared missing (unverified)", s["fields_declared_missing"]),
        ("Findings: errors / warnings / info",
         f"{s['findings']['error']} / {s['findings']['warning']} / {s['findings']['info']}"),
    ]], ["integrity-report"], widths=[80, 20])
    by_rule = Counter(f.rule for f in result.findings)
    if not by_rule:
        box += _para("No findings.")
        return box
    box += nodes.rubric(text="Findings by rule")
    box += table(["Rule", "Severity", "Count", "What it means"],
                 [[nodes.literal(text=rule), RULES[rule].severity if rule in RULES else "", str(count),
                   inline_markup(sentence(RULES[rule].summary)) if rule in RULES else ""]
                  for rule, count in sorted(by_rule.items())], ["integrity-report"], widths=[22, 10, 8, 60])
    box += nodes.rubric(text="All findings")
    box += table(["Where", "Rule", "Severity", "Message"],
                 [[f.location(), nodes.literal(text=f.rule), f.severity, inline_markup(_without_keys(ctx, f.message))]
                  for f in result.findings], ["integrity-report"], widths=[25, 20, 10, 45])
    return box
