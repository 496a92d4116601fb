"""Links a reader follows: to a need (in words), to a numbered reference, a small ID permalink."""

from __future__ import annotations

from typing import Any

from docutils import nodes

from .state import Catalogue
from .words import need_words


def anchor_uri(app: Any, fromdoc: str, todoc: str, anchor: str) -> str:
    """Link to an anchor on another page; single-file builders (singlehtml, PDF) need "#anchor"."""
    page = app.builder.get_relative_uri(fromdoc, todoc)
    return f"#{anchor}" if page.startswith("#") or not page else f"{page}#{anchor}"


def need_link(app: Any, fromdoc: str, cat: Catalogue, need_id: str, text: str | None = None,
              classes: tuple[str, ...] = ()) -> nodes.Node:
    """A need in words, linked; the ID is the tooltip. Unknown IDs stay visible as text."""
    need = cat.needs.get(need_id)
    if need is None:
        return nodes.inline(text=text or need_id, classes=["unknown-need"])
    # The tooltip: the stable ID and the title (the words may be a number).
    ref = nodes.reference("", "", internal=True, refuri=anchor_uri(app, fromdoc, need["docname"], need_id),
                          reftitle=f"{need_id}: {need.get('title') or ''}", classes=["need-words", *classes])
    ref += nodes.Text(text or need_words(need, cat.numbering))
    return ref


def permalink(app: Any, fromdoc: str, cat: Catalogue, need_id: str) -> nodes.Node:
    """The stable ID as a small link (for citing the recommendation, not for reading)."""
    need = cat.needs.get(need_id)
    uri = anchor_uri(app, fromdoc, need["docname"], need_id) if need else f"#{need_id}"
    return nodes.reference("", need_id, internal=True, refuri=uri, classes=["need-id"],
                           reftitle="Stable identifier (never changes; link to cite it)")


def reference_link(app: Any, fromdoc: str, cat: Catalogue, key: str) -> nodes.Node:
    """[n]: the reference's number, linked to the reference list. Never the bib key."""
    ref = cat.references.get(key)
    if ref is None:
        return nodes.inline(text="[reference not in the list]", classes=["missing-reference"])
    link = nodes.reference("", "", internal=True, refuri=anchor_uri(app, fromdoc, ref.docname, ref.anchor),
                           classes=["reference-number"])
    link += nodes.Text(f"[{ref.label}]")
    return link


def joined(items: list[nodes.Node], sep: str = ", ") -> nodes.inline:
    out = nodes.inline()
    for index, item in enumerate(items):
        if index:
            out += nodes.Text(sep)
        out += item
    return out
