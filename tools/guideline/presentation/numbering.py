"""Recommendation numbers: chapter.n, the same in HTML, full PDF, handout and what's new.

A chapter is a page holding recommendations (or good practice statements), in
reading order (the toctree, depth first, from the main page); chapter numbers
count those pages. Within a chapter, the recommendations in force (approved or
draft) are numbered in the order they are written. Superseded and retired ones
keep their stable ID but no number, so a number always means a recommendation
a reader may follow. IDs never encode position; numbers may change between
editions, IDs never do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

NUMBERED_TYPES = ("rec", "gps")
IN_FORCE = ("approved", "draft")


@dataclass
class Chapter:
    number: int
    docname: str
    title: str
    ids: list[str] = field(default_factory=list)  # every rec/gps of the page, in order
    numbered: list[str] = field(default_factory=list)  # those in force, in order


@dataclass
class Numbering:
    numbers: dict[str, str]
    chapters: list[Chapter]

    def number(self, need_id: str) -> str:
        return self.numbers.get(need_id, "")

    def in_order(self) -> list[str]:
        """Every numbered need, in reading order."""
        return [need_id for chapter in self.chapters for need_id in chapter.numbered]


def in_force(need: Mapping[str, Any]) -> bool:
    return need.get("type") in NUMBERED_TYPES and need.get("status") in IN_FORCE


def reading_order(toctree_includes: Mapping[str, list[str]], start: str, all_docs: Iterable[str]) -> list[str]:
    """Documents depth first through the toctrees from ``start``; the rest (orphans) after, sorted."""
    order: list[str] = []
    seen: set[str] = set()
    stack = [start]
    while stack:  # iterative: a deep toctree must not hit the recursion limit
        doc = stack.pop()
        if doc in seen:
            continue
        seen.add(doc)
        order.append(doc)
        stack.extend(reversed(toctree_includes.get(doc, [])))
    order.extend(sorted(set(all_docs) - seen))
    return order


def number_needs(needs: Mapping[str, Mapping[str, Any]], order: list[str],
                 titles: Mapping[str, str]) -> Numbering:
    position = {doc: index for index, doc in enumerate(order)}
    by_doc: dict[str, list[Mapping[str, Any]]] = {}
    for need in needs.values():
        if need.get("type") in NUMBERED_TYPES:
            by_doc.setdefault(need.get("docname") or "", []).append(need)
    numbers: dict[str, str] = {}
    chapters: list[Chapter] = []
    for doc in sorted(by_doc, key=lambda d: (position.get(d, len(position)), d)):
        items = sorted(by_doc[doc], key=lambda n: (n.get("lineno") or 0, n["id"]))
        chapter = Chapter(len(chapters) + 1, doc, titles.get(doc, doc), [n["id"] for n in items])
        for need in items:
            if in_force(need):
                chapter.numbered.append(need["id"])
                numbers[need["id"]] = f"{chapter.number}.{len(chapter.numbered)}"
        chapters.append(chapter)
    return Numbering(numbers, chapters)
