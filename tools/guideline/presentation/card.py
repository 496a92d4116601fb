"""The card of a need, as a reader sees it (HTML and PDF alike).

A recommendation card opens with its number and text; the rating is a badge
whose meaning is its tooltip (and the legend on the Grading page); the status
shows only when the recommendation is not in force. Below, layers open on
demand: rationale, practical information (the ``**Rationale:**`` and
``**Practical information:**`` paragraphs of the body), evidence (each claim in
words, its quote, its source and reliability, its numbered reference) and
history. The stable ID is a small permalink. Claims, sources and evidence gaps
get the same structure with their own facts.

Every node of the need's own content is kept (for example the
``evidence-changed`` notice of surveillance), only regrouped.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes

from ..grading import claim_assertion, rating_badge
from . import changes
from .links import joined, need_link, permalink, reference_link
from .nodes import details, summary
from .numbering import in_force
from .state import Catalogue, reliability_of
from .words import TYPE_WORDS, need_words, plain_text, short_title, sentence

LAYER_LABELS = {"rationale:": "Rationale", "practical information:": "Practical information"}
VERIFICATION_MEANINGS = {
    "verified": "The quote was found word for word in the source on file.",
    "unverified": "Not checked against a source text on file; not relied on alone.",
    "contradicted": "Contradicted by better evidence; shown, not relied on.",
    "corroborated": "The panel found an independent claim that says the same.",
    "source statement": "What the source says; the panel has not corroborated it.",
    "not asserted": "The panel asserts nothing about this claim; it is not relied on alone.",
}
NOT_ASSERTED = "not asserted"
RELIABILITY_MEANINGS = {
    "high": "High reliability: a peer-reviewed primary report or consensus.",
    "moderate": "Moderate reliability: expert opinion or a secondary report.",
    "low": "Low reliability: a news report or a secondary summary with errors.",
    "unreliable": "Unreliable: not used to support practice.",
}
NOT_FOR_CLINICAL_USE = ("low", "unreliable")


def judged_of(claim: dict[str, Any]) -> str:
    """What the panel asserts about a claim (legacy ``verification`` read as main's model does)."""
    return claim_assertion(claim) or NOT_ASSERTED


def badge(text: str, meaning: str, classes: list[str]) -> nodes.Node:
    """A short label whose meaning is one hover away (``<abbr title>``)."""
    return nodes.abbreviation(text, text, explanation=meaning, classes=["badge", *classes])


def _not_for_clinical_use(reliability: str) -> nodes.Node | None:
    """The visible mark on everything quoted from a source of low or no reliability."""
    if reliability not in NOT_FOR_CLINICAL_USE:
        return None
    return badge("Not for clinical use", f"From a source of {reliability} reliability: shown so that readers "
                 "can check it, never to be followed.", ["not-for-clinical-use-badge"])


def rating(need: dict[str, Any], cat: Catalogue, after_words: bool = False) -> nodes.Node | None:
    """The rating badge. ``after_words``: it follows the need's words ("Good practice statement 1.2"),
    so a badge that would only repeat them ("Good practice statement") is left out."""
    text, meaning = rating_badge(need, cat.settings)
    if not text or (after_words and text == TYPE_WORDS.get(need.get("type", ""))):
        return None
    return badge(text, meaning or text, ["rating-badge"])


def _label_node(node: nodes.Node) -> nodes.strong | None:
    """The bold label opening a paragraph (MyST may put an empty text node before it)."""
    if not isinstance(node, nodes.paragraph):
        return None
    first = next((c for c in node.children if not (isinstance(c, nodes.Text) and not c.astext().strip())), None)
    return first if isinstance(first, nodes.strong) else None


def _layer_label(node: nodes.Node) -> str | None:
    label = _label_node(node)
    return LAYER_LABELS.get(label.astext().strip().lower()) if label is not None else None


def split_layers(content: list[nodes.Node]) -> tuple[list[nodes.Node], dict[str, list[nodes.Node]]]:
    """The recommendation text, and the labelled layers (label paragraph without its label)."""
    text: list[nodes.Node] = []
    layers: dict[str, list[nodes.Node]] = {}
    current: list[nodes.Node] | None = None
    for node in content:
        label = _layer_label(node)
        if label:
            while node.children and node.children[0] is not _label_node(node):
                node.remove(node.children[0])  # empty text before the label
            node.remove(node.children[0])
            if node.children and isinstance(node.children[0], nodes.Text):
                node.replace(node.children[0], nodes.Text(node.children[0].astext().lstrip()))
            current = layers.setdefault(label, [])
            current.append(node)
        elif isinstance(node, nodes.Element) and "evidence-changed" in node.get("classes", []):
            text.append(node)  # a surveillance notice belongs to the recommendation itself
        elif current is not None:
            current.append(node)
        else:
            text.append(node)
    return text, layers


def _layer(title: str, body: list[nodes.Node], kind: str, count: str = "") -> details:
    box = details(classes=["layer", f"layer-{kind}"])
    box += summary(text=f"{title}{count}")
    box.extend(body)
    return box


def _head(*items: nodes.Node | None, classes: str = "card-head") -> nodes.paragraph:
    """Items separated by a space (none before closing punctuation)."""
    para = nodes.paragraph(classes=[classes])
    for index, item in enumerate(i for i in items if i is not None):
        if index and not (isinstance(item, nodes.Text) and item.astext()[:1] in ".,;:)"):
            para += nodes.Text(" ")
        para += item
    return para


def _status(need: dict[str, Any]) -> nodes.Node | None:
    status = need.get("status") or ""
    if status in ("", "approved", "open"):
        return None
    return nodes.inline(text=sentence(status), classes=["card-status", f"status-{status}"])


def claim_item(app: Any, fromdoc: str, cat: Catalogue, claim_id: str) -> list[nodes.Node]:
    """One claim in words: statement, verification, quote, source and reliability, reference number."""
    claim = cat.needs.get(claim_id)
    if claim is None:
        return [nodes.paragraph(text=claim_id)]
    judged = judged_of(claim)
    head = _head(need_link(app, fromdoc, cat, claim_id, claim.get("title")),
                 badge(judged, VERIFICATION_MEANINGS.get(judged, judged), [f"judged-{judged.replace(' ', '-')}"])
                 if judged else None, classes="claim-line")
    out: list[nodes.Node] = [head]
    if claim.get("quote"):
        quote = nodes.block_quote(classes=["claim-quote"])
        quote += nodes.paragraph(text=f"\u201c{claim['quote']}\u201d")
        out.append(quote)
    source = cat.sources_by_cite.get(claim.get("cite") or "")
    line = nodes.paragraph(classes=["claim-source"])
    line += nodes.Text("Source: ")
    if source:
        line += need_link(app, fromdoc, cat, source["id"])
        reliability = source.get("reliability") or ""
        if reliability:
            line += nodes.Text(" ")
            line += badge(f"{reliability} reliability", RELIABILITY_MEANINGS.get(reliability, reliability),
                          [f"reliability-{reliability}"])
    else:
        line += nodes.Text("publication")
    if claim.get("cite"):
        line += nodes.Text(" ")
        line += reference_link(app, fromdoc, cat, claim["cite"])
    out.append(line)
    return out


def evidence_layer(app: Any, fromdoc: str, cat: Catalogue, need: dict[str, Any]) -> details | None:
    claims = [c for c in need.get("based_on") or [] if c]
    if not claims:
        return None
    items = nodes.enumerated_list(classes=["evidence-list"])
    for claim_id in claims:
        item = nodes.list_item()
        item.extend(claim_item(app, fromdoc, cat, claim_id))
        items += item
    sources = {cat.needs.get(c, {}).get("cite") for c in claims} - {None, ""}
    count = f" ({len(claims)} claim{'s' if len(claims) != 1 else ''}, {len(sources)} source" \
            f"{'s' if len(sources) != 1 else ''})"
    return _layer("Evidence", [items], "evidence", count)


_NEED_ID = re.compile(r"\b[A-Z]{2,}(?:_[A-Z0-9]+)+\b")
_BRACKETED = re.compile(r"\[([^\[\]\s,]+(?:,\s*[^\[\]\s,]+)*)\]")


def _readable(app: Any, cat: Catalogue):
    def need_text(need_id: str) -> str:
        need = cat.needs.get(need_id)
        return need_words(need, cat.numbering) if need else need_id

    def cite_text(keys: list[str]) -> str:
        labels = [cat.references[k].label for k in keys if k in cat.references]
        return f"[{', '.join(labels)}]" if labels else ""

    def bracketed(match: re.Match) -> str:
        keys = [k.strip() for k in match[1].split(",")]
        return cite_text(keys) if all(k in cat.bib_keys or k in cat.references for k in keys) else match[0]

    def bare_id(match: re.Match) -> str:
        return need_text(match[0]) if match[0] in cat.needs else match[0]

    # The edition diff writes citations as "[key, key]" and need links as bare IDs;
    # readers get reference numbers and words instead.
    return lambda source: _NEED_ID.sub(bare_id, _BRACKETED.sub(bracketed, plain_text(source, need_text, cite_text)))


def history_layer(app: Any, fromdoc: str, cat: Catalogue, need: dict[str, Any]) -> details:
    rows = nodes.bullet_list(classes=["history-list"])

    def row(*parts: nodes.Node | str) -> None:
        item = nodes.list_item()
        para = nodes.paragraph()
        for part in parts:
            para += nodes.Text(part) if isinstance(part, str) else part
        item += para
        rows.append(item)

    history = cat.history(need["id"])
    introduced = history.get("introduced_in") or need.get("introduced")
    if introduced:
        row(f"Introduced in edition {introduced}.")
    changed_in = history.get("changed_in") or []
    if changed_in:
        row(f"Changed in edition{'s' if len(changed_in) > 1 else ''} {', '.join(changed_in)}.")
    change = cat.change(need["id"])
    body: list[nodes.Node] = [rows]
    if change:
        notes = [f"{name} {old or '-'} \u2192 {new or '-'}" for name, (old, new) in sorted(change["fields"].items())]
        if notes:
            row(f"In edition {cat.whats_new.get('to')}: " + "; ".join(notes) + ".")
        if change.get("text_diff"):
            body.append(nodes.paragraph(text=f"Text changed in edition {cat.whats_new.get('to')} "
                                             f"(removed words struck through, new words marked):",
                                        classes=["diff-caption"]))
            body.append(changes.diff_paragraph(change["text_diff"], _readable(app, cat)))
    if need.get("last_reviewed"):
        row(f"Last reviewed {need['last_reviewed']}.")
    for link, words in (("supersedes", "Replaces "), ("supersedes_back", "Superseded by ")):
        targets = [t for t in need.get(link) or [] if t]
        if targets:
            row(words, joined([need_link(app, fromdoc, cat, t) for t in targets]), ".")
    return _layer("History", body, "history")


def recommendation_card(app: Any, fromdoc: str, cat: Catalogue, need: dict[str, Any],
                        content: list[nodes.Node]) -> nodes.container:
    kind = need.get("type", "rec")
    card = nodes.container(classes=["guideline-card", "rec-card", f"type-{kind}",
                                    "in-force" if in_force(need) else "not-in-force"], ids=[need["id"]])
    number = cat.numbering.number(need["id"])
    label = f"{TYPE_WORDS.get(kind, 'Recommendation')} {number}" if number else \
        f"{sentence(need.get('status') or 'former')} {TYPE_WORDS.get(kind, 'recommendation').lower()}"
    card += _head(nodes.inline(text=label, classes=["card-number"]), rating(need, cat, after_words=True), _status(need),
                  permalink(app, fromdoc, cat, need["id"]))
    successors = [t for t in need.get("supersedes_back") or [] if t]
    if successors and not in_force(need):
        card += _head(nodes.Text("Superseded by "), joined([need_link(app, fromdoc, cat, t) for t in successors]),
                      nodes.Text("."), classes="card-successor")
    title = nodes.paragraph(classes=["card-title"])
    title += nodes.strong(text=need.get("title") or "")
    card += title
    text, layers = split_layers(content)
    body = nodes.container(classes=["card-text"])
    body.extend(text)
    card += body
    for name in ("Rationale", "Practical information"):
        if layers.get(name):
            card += _layer(name, layers[name], name.split()[0].lower())
    evidence = evidence_layer(app, fromdoc, cat, need)
    if evidence is not None:
        card += evidence
    card += history_layer(app, fromdoc, cat, need)
    return card


def claim_card(app: Any, fromdoc: str, cat: Catalogue, need: dict[str, Any],
               content: list[nodes.Node]) -> nodes.container:
    judged = judged_of(need)
    reliability = reliability_of(cat, need)
    card = nodes.container(classes=["guideline-card", "claim-card", f"judged-{judged.replace(' ', '-')}"],
                           ids=[need["id"]])
    card += _head(nodes.inline(text="Claim", classes=["card-kind"]),
                  badge(judged, VERIFICATION_MEANINGS.get(judged, judged), [f"judged-{judged.replace(' ', '-')}"])
                  if judged else None, _not_for_clinical_use(reliability), permalink(app, fromdoc, cat, need["id"]))
    title = nodes.paragraph(classes=["card-title"])
    title += nodes.strong(text=need.get("title") or "")
    card += title
    if need.get("quote"):
        quote = nodes.block_quote(classes=["claim-quote"])
        quote += nodes.paragraph(text=f"\u201c{need['quote']}\u201d")
        card += quote
    body = nodes.container(classes=["card-text"])
    body.extend(content)
    card += body
    facts = nodes.paragraph(classes=["claim-source"])
    source = cat.sources_by_cite.get(need.get("cite") or "")
    if source:
        facts += nodes.Text("Source: ")
        facts += need_link(app, fromdoc, cat, source["id"])
        if reliability:
            facts += nodes.Text(" ")
            facts += badge(f"{reliability} reliability", RELIABILITY_MEANINGS.get(reliability, reliability),
                           [f"reliability-{reliability}"])
        facts += nodes.Text(" ")
    if need.get("cite"):
        facts += reference_link(app, fromdoc, cat, need["cite"])
    card += facts
    for link, words in (("based_on_back", "Supports "), ("contradicts", "Contradicts "),
                        ("contradicts_back", "Contradicted by "), ("corroborated_by", "Corroborated by "),
                        ("raised_by_back", "Raises ")):
        targets = [t for t in need.get(link) or [] if t]
        if targets:
            card += _head(nodes.Text(words), joined([need_link(app, fromdoc, cat, t) for t in targets]),
                          nodes.Text("."), classes="card-links")
    return card


def source_card(app: Any, fromdoc: str, cat: Catalogue, need: dict[str, Any],
                content: list[nodes.Node]) -> nodes.container:
    reliability = need.get("reliability") or ""
    card = nodes.container(classes=["guideline-card", "source-card", f"reliability-{reliability}"],
                           ids=[need["id"]])
    card += _head(nodes.inline(text=sentence(need.get("kind") or "source"), classes=["card-kind"]),
                  badge(f"{reliability} reliability", RELIABILITY_MEANINGS.get(reliability, reliability),
                        [f"reliability-{reliability}"]) if reliability else None,
                  reference_link(app, fromdoc, cat, need["cite"]) if need.get("cite") else None,
                  _not_for_clinical_use(reliability), permalink(app, fromdoc, cat, need["id"]))
    title = nodes.paragraph(classes=["card-title"])
    title += nodes.strong(text=short_title(need.get("title") or ""))
    card += title
    body = nodes.container(classes=["card-text"])
    body.extend(content)
    card += body
    return card


def gap_card(app: Any, fromdoc: str, cat: Catalogue, need: dict[str, Any],
             content: list[nodes.Node]) -> nodes.container:
    card = nodes.container(classes=["guideline-card", "gap-card"], ids=[need["id"]])
    card += _head(nodes.inline(text="Evidence gap", classes=["card-kind"]), _status(need),
                  permalink(app, fromdoc, cat, need["id"]))
    title = nodes.paragraph(classes=["card-title"])
    title += nodes.strong(text=need.get("title") or "")
    card += title
    body = nodes.container(classes=["card-text"])
    body.extend(content)
    card += body
    raised = [t for t in need.get("raised_by") or [] if t]
    if raised:
        card += _head(nodes.Text("Raised by "), joined([need_link(app, fromdoc, cat, t) for t in raised]),
                      nodes.Text("."), classes="card-links")
    return card


CARDS = {"rec": recommendation_card, "gps": recommendation_card, "claim": claim_card,
         "source": source_card, "gap": gap_card}


def render(app: Any, fromdoc: str, cat: Catalogue, need: dict[str, Any], content: list[nodes.Node]) -> nodes.Node | None:
    """The card for ``need``, or None for a type this layer does not draw (sphinx-needs' layout then)."""
    make = CARDS.get(need.get("type", ""))
    return make(app, fromdoc, cat, need, content) if make else None
