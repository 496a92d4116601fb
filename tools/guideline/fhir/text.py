"""Need bodies (MyST source as stored in needs.json) as plain markdown, split into their parts.

- roles become readable text: ``{cite:p}`a,b``` -> ``[a; b]`` (bib keys, which are the
  Citations' identifiers), ``{need}`REC_X``` -> ``REC_X``, any other role -> its text;
- a recommendation body is its text, then optional paragraphs labelled
  ``**Rationale:**`` and ``**Practical information:**`` (contracts.md);
- a source appraisal is paragraphs labelled in bold (``**What it is.**``,
  ``**Reliability: ...**``, ``**Problems found...**``) with the problems as a list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_CITE = re.compile(r"\{(?:foot)?cite(?::[a-z]+)?\}`([^`]*)`")
_NEED = re.compile(r"\{need\}`(?:[^`<]*<)?([^`>]*)>?`")
_ROLE = re.compile(r"\{[a-z][a-z0-9:_-]*\}`(?:([^`<]*?)\s*<[^`>]*>|([^`]*))`")
_LABEL = re.compile(r"^\*\*([^*]+?)\*\*\s*")
_BULLET = re.compile(r"^[-*] ")


def plain(markdown: str) -> str:
    """MyST roles replaced by readable text; everything else kept as markdown."""
    text = _CITE.sub(lambda m: "[" + "; ".join(k.strip() for k in m.group(1).split(",") if k.strip()) + "]",
                     markdown or "")
    text = _NEED.sub(lambda m: m.group(1).strip(), text)
    text = _ROLE.sub(lambda m: (m.group(1) or m.group(2) or "").strip(), text)
    return text.strip()


def paragraphs(markdown: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", markdown or "") if p.strip()]


@dataclass
class RecommendationBody:
    text: str
    rationale: str = ""
    practical: str = ""


LAYERS = {"rationale": "rationale", "practical information": "practical"}


def recommendation(content: str) -> RecommendationBody:
    """Split a rec/gps body into its text and the labelled layers (labels removed)."""
    parts: dict[str, list[str]] = {"text": [], "rationale": [], "practical": []}
    current = "text"
    for para in paragraphs(content):
        match = _LABEL.match(para)
        label = match.group(1).strip().rstrip(":.").lower() if match else ""
        if label in LAYERS:
            current = LAYERS[label]
            para = para[match.end():]
        parts[current].append(para)
    return RecommendationBody(*(plain("\n\n".join(parts[k])) for k in ("text", "rationale", "practical")))


@dataclass
class Appraisal:
    description: str = ""   # "What it is."
    reliability: str = ""   # the reliability paragraph, label kept (it states the rating's scope)
    problems: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)


def appraisal(content: str) -> Appraisal:
    """The parts of a source need's body; unlabelled text is kept in ``other``."""
    out = Appraisal()
    current = ""
    for para in paragraphs(content):
        match = _LABEL.match(para)
        if match:
            label = match.group(1).strip().lower()
            current = ("description" if label.startswith("what it is") else
                       "reliability" if label.startswith("reliability") else
                       "problems" if label.startswith("problems") else "other")
            rest = para[match.end():].strip()
            if current == "description":
                out.description = plain(rest)
            elif current == "reliability":
                out.reliability = plain(para)
            elif current == "problems":
                out.problems.extend(_items(rest))
            else:
                out.other.append(plain(para))
            continue
        if current == "problems" and _BULLET.match(para):
            out.problems.extend(_items(para))
        elif current == "description":
            out.description = "\n\n".join(filter(None, [out.description, plain(para)]))
        elif current == "reliability":
            out.reliability = "\n\n".join(filter(None, [out.reliability, plain(para)]))
        else:
            out.other.append(plain(para))
    return out


def _items(block: str) -> list[str]:
    """The items of a markdown bullet list (continuation lines joined)."""
    items: list[list[str]] = []
    for line in block.splitlines():
        if _BULLET.match(line):
            items.append([line[2:].strip()])
        elif items and line.strip():
            items[-1].append(line.strip())
    return [plain(" ".join(item)) for item in items]
