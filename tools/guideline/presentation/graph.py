"""The evidence graph of one recommendation: rec -> claims -> sources, as SVG made here.

No system program (Graphviz, PlantUML, Java): three columns of boxes and
straight edges, coloured by the claim's verification (or the panel's
assertion) and the source's reliability, each box a link with its full text as
tooltip. The output depends only on its input (editions stay reproducible).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

CLAIM_COLOURS = {
    "verified": "#2e7d32", "corroborated": "#2e7d32",
    "unverified": "#a05a00", "source statement": "#a05a00",
    "contradicted": "#b00020",
}
RELIABILITY_COLOURS = {"high": "#1b5e20", "moderate": "#4f7f1f", "low": "#c05600", "unreliable": "#b00020"}
GREY = "#666666"
BOX_W, BOX_H, GAP, COL_X = (210, 44, 12, (0, 265, 530))
WIDTH = COL_X[2] + BOX_W + 2
CHARS = 31  # per line in a box (two lines)


@dataclass(frozen=True)
class Box:
    key: str
    lines: tuple[str, str]  # first line: kind or number; second: words
    tooltip: str
    colour: str
    uri: str


def _wrap(text: str) -> str:
    return text if len(text) <= CHARS else text[:CHARS - 1].rstrip() + "\u2026"


def box(key: str, head: str, words: str, tooltip: str, colour: str, uri: str) -> Box:
    return Box(key, (_wrap(head), _wrap(words)), tooltip, colour, uri)


def _draw(b: Box, x: int, y: int) -> str:
    return (f'<a href="{escape(b.uri)}"><title>{escape(b.tooltip)}</title>'
            f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="5" fill="#ffffff" '
            f'stroke="{b.colour}" stroke-width="2"/>'
            f'<rect x="{x}" y="{y}" width="6" height="{BOX_H}" rx="2" fill="{b.colour}"/>'
            f'<text x="{x + 12}" y="{y + 17}" font-size="11" fill="{b.colour}" font-weight="bold">'
            f'{escape(b.lines[0])}</text>'
            f'<text x="{x + 12}" y="{y + 34}" font-size="11" fill="#1a1a1a">{escape(b.lines[1])}</text></a>')


def evidence_svg(rec: Box, claims: list[Box], sources: list[Box], edges: list[tuple[str, str]],
                 label: str) -> str:
    """``edges``: (claim key, source key). Returns one ``<svg>`` element."""
    rows = max(len(claims), len(sources), 1)
    height = rows * (BOX_H + GAP)
    ys = {}
    parts = []
    ys[rec.key] = (height - BOX_H) // 2 - GAP // 2
    for column, items in ((1, claims), (2, sources)):
        offset = (height - len(items) * (BOX_H + GAP)) // 2
        for index, item in enumerate(items):
            ys[item.key] = offset + index * (BOX_H + GAP)
    mid = BOX_H // 2
    for claim in claims:
        parts.append(_edge(COL_X[0] + BOX_W, ys[rec.key] + mid, COL_X[1], ys[claim.key] + mid, claim.colour))
    for claim_key, source_key in edges:
        if claim_key in ys and source_key in ys:
            colour = next((s.colour for s in sources if s.key == source_key), GREY)
            parts.append(_edge(COL_X[1] + BOX_W, ys[claim_key] + mid, COL_X[2], ys[source_key] + mid, colour))
    parts.append(_draw(rec, COL_X[0], ys[rec.key]))
    parts.extend(_draw(c, COL_X[1], ys[c.key]) for c in claims)
    parts.extend(_draw(s, COL_X[2], ys[s.key]) for s in sources)
    return (f'<svg class="evidence-graph" xmlns="http://www.w3.org/2000/svg" role="img" '
            f'aria-label="{escape(label)}" viewBox="-1 -1 {WIDTH} {height}" width="{WIDTH}" '
            f'height="{height}" font-family="sans-serif">{"".join(parts)}</svg>')


def _edge(x1: int, y1: int, x2: int, y2: int, colour: str) -> str:
    bend = (x2 - x1) // 2
    return (f'<path d="M{x1},{y1} C{x1 + bend},{y1} {x2 - bend},{y2} {x2},{y2}" fill="none" '
            f'stroke="{colour}" stroke-width="1.5" opacity="0.7"/>')
