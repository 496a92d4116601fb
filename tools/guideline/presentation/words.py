"""The words that stand for an ID, and MyST source turned into the text a reader sees.

Readers never see a bib key or an internal ID in running text: a recommendation
is "Recommendation 2.1", a claim its statement, a source its short title, a
reference its number. IDs stay available as small permalinks and tooltips.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from docutils import nodes

from .numbering import Numbering, in_force

TYPE_WORDS = {"rec": "Recommendation", "gps": "Good practice statement"}


def short_title(title: str) -> str:
    """A source's name without its qualifier ("... (Lancet Oncol 2024): abstract only")."""
    head, sep, _tail = title.partition(": ")
    return head if sep and len(head.split()) >= 4 else title


def need_words(need: Mapping[str, Any], numbering: Numbering) -> str:
    kind = need.get("type")
    title = need.get("title") or need.get("id", "")
    if kind in TYPE_WORDS:
        number = numbering.number(need["id"])
        if number and in_force(need):
            return f"{TYPE_WORDS[kind]} {number}"
        return f"{(need.get('status') or 'former').capitalize()} {TYPE_WORDS[kind].lower()} \u201c{title}\u201d"
    if kind == "source":
        return short_title(title)
    if kind == "gap":
        return f"evidence gap \u201c{title}\u201d"
    if kind == "claim":
        return f"claim \u201c{title}\u201d"
    return title


_ROLE = re.compile(r"\{(?P<role>[\w:\-]+)\}`(?P<body>[^`]*)`")
_EMPHASIS = re.compile(r"\*\*|__|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])")
_BACKTICKS = re.compile(r"`([^`]*)`")


def plain_text(source: str, need_text: Callable[[str], str] | None = None,
               cite_text: Callable[[list[str]], str] | None = None) -> str:
    """MyST source as the words a reader sees: roles resolved, emphasis marks and backticks gone.

    ``need_text(id)`` gives the words for ``{need}``; ``cite_text(keys)`` the
    reference numbers for ``{cite:p}`` (default: citations are dropped).
    """

    def role(match: re.Match) -> str:
        name, body = match["role"], match["body"]
        target = body.split("<", 1)[1].rstrip(">").strip() if "<" in body else body.strip()
        explicit = body.split("<", 1)[0].strip() if "<" in body else ""
        if name.startswith(("cite", "footcite")):
            return cite_text([k.strip() for k in target.split(",") if k.strip()]) if cite_text else ""
        if name == "need" and need_text and not explicit:
            return need_text(target)
        return explicit or target

    text = _ROLE.sub(role, source)
    text = _EMPHASIS.sub("", text)
    text = _BACKTICKS.sub(r"\1", text)
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r" +([,.;:)\]])", r"\1", text)
    text = re.sub(r"\( ", "(", text)
    return text.strip()


def first_paragraph(source: str) -> str:
    return source.strip().split("\n\n", 1)[0]


def inline_markup(text: str) -> list[nodes.Node]:
    """Text whose `backticked` parts are code (messages and rule texts are written that way)."""
    out: list[nodes.Node] = []
    for index, part in enumerate(_BACKTICKS.split(text)):
        if not part:
            continue
        out.append(nodes.literal(text=part) if index % 2 else nodes.Text(part))
    return out


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:]
