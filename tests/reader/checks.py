"""Checks of what a reader gets, on built outputs (HTML folder, full PDF, handout PDF).

Each check returns a list of problems (empty: passes), so a test can show all of them.
"""

from __future__ import annotations

import html as htmllib
import re
from pathlib import Path

from pypdf import PdfReader

WORDS_MIN = 12
_TOC_LINE = re.compile(r"^(?P<title>.+?)\s*\.{4,}\s*(?P<page>\d+)\s*$")
_TAG = re.compile(r"<[^>]+>")
_HIDDEN = re.compile(r"<(script|style|head)\b.*?</\1>", re.S | re.I)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u2002", " ").replace("\u00ad", "")).strip()


def outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    """(depth, title, page number from 1) of every bookmark, in order."""
    out: list[tuple[int, str, int]] = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                out.append((depth, _norm(item.title), reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return out


def contents_entries(reader: PdfReader) -> list[tuple[str, int]]:
    """(title, printed page) of the contents page(s)."""
    entries: list[tuple[str, int]] = []
    for page in reader.pages[1:4]:
        text = page.extract_text() or ""
        if "Contents" not in text and not entries:
            continue
        for line in text.splitlines():
            match = _TOC_LINE.match(line.strip())
            if match:
                entries.append((_norm(match["title"]), int(match["page"])))
    return entries


def contents_page_numbers(pdf: Path) -> list[str]:
    reader = PdfReader(str(pdf))
    entries = contents_entries(reader)
    if len(entries) < 5:
        return [f"only {len(entries)} contents entries found"]
    marks = outline(reader)
    problems = []
    position = 0
    for title, printed in entries:
        # Titles repeat ("Recommendations"): match in order, as the contents follow the document.
        found = next((i for i in range(position, len(marks)) if marks[i][1] == title), None)
        if found is None:
            problems.append(f"contents entry {title!r} has no bookmark after the previous entry")
            continue
        position = found + 1
        if marks[found][2] != printed:
            problems.append(f"contents says {title!r} is on page {printed}, its heading is on page {marks[found][2]}")
    return problems


def near_empty_pages(pdf: Path) -> list[str]:
    reader = PdfReader(str(pdf))
    problems = []
    for number, page in enumerate(reader.pages[1:], start=2):
        words = len((page.extract_text() or "").split())
        if words < WORDS_MIN:
            problems.append(f"page {number} has {words} words")
    return problems


def page_count(pdf: Path) -> int:
    return len(PdfReader(str(pdf)).pages)


def pdf_text(pdf: Path) -> str:
    return _norm(" ".join(p.extract_text() or "" for p in PdfReader(str(pdf)).pages))


def visible_text(page: Path) -> str:
    raw = page.read_text(encoding="utf-8")
    return _norm(htmllib.unescape(_TAG.sub(" ", _HIDDEN.sub(" ", raw))))


def bib_keys(bib: Path) -> set[str]:
    return set(re.findall(r"@\w+\s*\{\s*([^,\s]+)\s*,", bib.read_text(encoding="utf-8")))


def reader_pages(html_dir: Path, excluded=("toolchain/", "_static/", "_sources/", "genindex", "search")) -> list[Path]:
    return [p for p in sorted(html_dir.rglob("*.html"))
            if not str(p.relative_to(html_dir)).startswith(excluded)]


def keys_and_markup(html_dir: Path, keys: set[str]) -> list[str]:
    problems = []
    pattern = re.compile(r"(?<![\w-])(" + "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))
                         + r")(?![\w-])") if keys else None
    for page in reader_pages(html_dir):
        text = visible_text(page)
        name = page.relative_to(html_dir)
        if "**" in text:
            problems.append(f"{name}: '**' in the visible text")
        if pattern:
            for match in sorted(set(pattern.findall(text))):
                problems.append(f"{name}: bib key {match!r} in the visible text")
    return problems


_CARD = re.compile(r'<span class="card-number">(?P<kind>Recommendation|Good practice statement) (?P<number>\d+\.\d+)</span>'
                   r'.*?<a class="need-id[^"]*"[^>]*>(?P<id>[A-Z0-9_]+)</a>.*?<p class="card-title"><strong>'
                   r'(?P<title>[^<]*)</strong>', re.S)


def html_numbers(html_dir: Path) -> dict[str, tuple[str, str, str]]:
    """Recommendation or statement ID -> (kind words, number, title) from the cards of the HTML pages."""
    out: dict[str, tuple[str, str, str]] = {}
    for page in html_dir.rglob("*.html"):
        for match in _CARD.finditer(page.read_text(encoding="utf-8")):
            out[match["id"]] = (match["kind"], match["number"], _norm(htmllib.unescape(match["title"])))
    return out


def numbers_in_pdfs(numbers: dict[str, tuple[str, str, str]], full: Path, handout: Path | None) -> list[str]:
    problems = []
    full_text = pdf_text(full)
    hand_text = pdf_text(handout) if handout else ""
    for rec_id, (kind, number, title) in sorted(numbers.items()):
        label = f"{kind} {number}"
        if not re.search(rf"{re.escape(label)}\b.{{0,200}}{re.escape(title[:40])}", full_text):
            problems.append(f"full PDF: {label!r} is not followed by {title!r} ({rec_id})")
        if handout and title[:40] in hand_text and not re.search(rf"{re.escape(number)} {re.escape(title[:40])}",
                                                                   hand_text):
            problems.append(f"handout: {title!r} is not numbered {number} ({rec_id})")
    return problems


def toolchain_in_pdf(pdf: Path, titles: list[str]) -> list[str]:
    reader = PdfReader(str(pdf))
    shown = {title for _d, title, _p in outline(reader)}
    return [f"Toolchain heading {t!r} in the PDF" for t in ["Toolchain", *titles] if t in shown]
