"""Unicode and typography normalisation for quote matching.

Only typography is folded: Unicode composition (NFC), space-like characters,
invisible format characters, hyphen and dash variants, curly quotes, the
ellipsis, and runs of whitespace including line breaks. Letters, digits, case
and every other character are kept, so two texts that differ in a word or a
number never normalise to the same string.
"""

from __future__ import annotations

import unicodedata

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_SINGLE = "\u2018\u2019\u201a\u201b\u2032\u00b4\u02bc"
_DOUBLE = "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"
# Invisible characters a copy from a PDF or a web page can carry.
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"

_TABLE: dict[int, str | None] = {}
_TABLE.update({ord(c): "-" for c in _DASHES})
_TABLE.update({ord(c): "'" for c in _SINGLE})
_TABLE.update({ord(c): '"' for c in _DOUBLE})
_TABLE.update({ord(c): None for c in _INVISIBLE})
_TABLE[ord("\u2026")] = "..."


def normalise(text: str) -> str:
    """Fold typography; never changes words or numbers. Idempotent."""
    text = unicodedata.normalize("NFC", text).translate(_TABLE)
    # str.split() splits on every Unicode space (NBSP, narrow NBSP, thin space,
    # line and paragraph separators, tabs, line breaks).
    return unicodedata.normalize("NFC", " ".join(text.split()))


def first_difference(quote: str, text: str) -> int:
    """Length of the longest prefix of ``quote`` (normalised) occurring in ``text`` (normalised)."""
    lo, hi = 0, len(quote)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if quote[:mid] in text:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _joins(a: str, b: str) -> bool:
    """True when ``a`` followed by ``b`` is inside one word or number.

    Letters and digits join (``45`` + ``2`` is 452, ``ample`` after ``S`` is mid-word), and
    a decimal separator between digits joins (``63`` before ``.0``). Wide CJK characters
    do not join: Chinese has no spaces between words, so any run of it may be quoted."""
    def wordish(c: str) -> bool:
        return (c.isalnum() or c == "_") and (c.isdigit() or unicodedata.east_asian_width(c) not in "WF")
    return wordish(a) and wordish(b)


def find_quote(quote: str, text: str) -> int:
    """Position of ``quote`` in ``text`` (both normalised) on word and number boundaries, or -1.

    "Sample size 45" does not match "Sample size 452", nor "ample size 45" match "Sample
    size 45"; "was 6" does not match "was 6.3". A quote that begins or ends with
    punctuation or a space is bounded by it."""
    if not quote:
        return 0
    start = text.find(quote)
    while start != -1:
        end = start + len(quote)
        before = text[start - 1] if start else ""
        after = text[end] if end < len(text) else ""
        ok = not (before and _joins(before, quote[0])) and not (after and _joins(quote[-1], after))
        if ok and quote[-1].isdigit() and after in ".," and text[end + 1:end + 2].isdigit():
            ok = False  # a decimal cut short: 6 of 6.3
        if ok and quote[0].isdigit() and before in ".," and start >= 2 and text[start - 2].isdigit():
            ok = False  # the decimals of a number: 3 of 6.3
        if ok:
            return start
        start = text.find(quote, start + 1)
    return -1
