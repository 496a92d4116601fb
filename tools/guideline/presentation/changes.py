"""A readable word diff: what a reader sees of a changed recommendation text.

The edition diff (``guideline.editions.diff``) records operations on the MyST
source. Shown as they are, they carry markup (``**``, citation keys) and split
phrases into fragments ("a[-n-]{+ +}..."). Here both versions are rebuilt from
the operations, turned into reader text, diffed word by word again, and short
unchanged runs between two changes are folded into the change, so each change
reads as a phrase that was replaced.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable

from docutils import nodes

_WORD = re.compile(r"\S+\s*")
FOLD = 2  # unchanged runs of at most this many words between changes join the change


def versions(ops: list[list[str]]) -> tuple[str, str]:
    old = "".join(text for op, text in ops if op in ("=", "-"))
    new = "".join(text for op, text in ops if op in ("=", "+"))
    return old, new


def readable_ops(old: str, new: str) -> list[tuple[str, str, str]]:
    """[(kind, old text, new text)] with kind '=' or '~' (a replaced, added or removed phrase)."""
    a, b = _WORD.findall(old), _WORD.findall(new)
    raw: list[tuple[str, list[str], list[str]]] = []
    key = [w.strip() for w in a], [w.strip() for w in b]
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, *key, autojunk=False).get_opcodes():
        kind = "=" if tag == "equal" else "~"
        if raw and raw[-1][0] == kind:
            raw[-1][1].extend(a[i1:i2])
            raw[-1][2].extend(b[j1:j2])
        else:
            raw.append((kind, a[i1:i2], b[j1:j2]))
    merged: list[tuple[str, list[str], list[str]]] = []
    for index, (kind, olds, news) in enumerate(raw):
        between = 0 < index < len(raw) - 1
        if kind == "=" and between and len(olds) <= FOLD and merged and merged[-1][0] == "~":
            merged[-1][1].extend(olds)
            merged[-1][2].extend(news)
            continue
        if kind == "~" and merged and merged[-1][0] == "~":
            merged[-1][1].extend(olds)
            merged[-1][2].extend(news)
            continue
        merged.append((kind, list(olds), list(news)))
    return [(kind, "".join(o), "".join(n)) for kind, o, n in merged]


def diff_paragraph(ops: list[list[str]], to_text: Callable[[str], str]) -> nodes.paragraph:
    """The change as one paragraph: removed words struck through, added words marked."""
    old, new = versions(ops)
    para = nodes.paragraph(classes=["word-diff"])
    for kind, before, after in readable_ops(to_text(old), to_text(new)):
        if kind == "=":
            para += nodes.Text(after)
            continue
        if before.strip():
            para += nodes.inline(text=before.rstrip(), classes=["diff-removed"])
            para += nodes.Text(" ")
        if after.strip():
            para += nodes.inline(text=after.rstrip(), classes=["diff-added"])
            para += nodes.Text(after[len(after.rstrip()):] or " ")
    return para
