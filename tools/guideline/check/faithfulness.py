"""Claim faithfulness: a restatement may not say what its quote does not.

The restatement of a claim is its title and the first paragraph(s) of its body,
up to the first paragraph that starts with a bold label (``**Note:**``), which
holds the panel's comments. Three kinds of words are checked, because adding
any of them changes what a reader takes the source to say:

- numbers, with their unit when they have one ("12 months" needs "12-month" or
  "12 months" in the quote, not just "12");
- drug names: words ending in an INN stem (-mab, -cel, -tinib, ...) and the names
  listed in ``[faithfulness]`` of ``guideline.toml``;
- negations ("not", "no", "without", "-n't", ...): a restatement may only negate
  if its quote does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..grading import DEFAULT_NEGATIONS, Faithfulness

_ROLE = re.compile(r"\{[\w:\-]+\}`[^`]*`")
_LABEL = re.compile(r"^\s*\*\*[^*\n]{1,40}:\*\*")
_DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2212\\-]")
UNITS = {
    "%": "%", "percent": "%", "per cent": "%",
    "mg/kg": "mg/kg", "mg/m2": "mg/m2", "mg/m²": "mg/m2", "mg": "mg", "µg": "µg", "mcg": "µg",
    "ml": "ml", "kg": "kg", "g": "g", "iu": "iu",
    "hour": "hour", "hours": "hour", "h": "hour", "hr": "hour",
    "day": "day", "days": "day", "week": "week", "weeks": "week",
    "month": "month", "months": "month", "year": "year", "years": "year", "y": "year",
    "point": "point", "points": "point", "patient": "patient", "patients": "patient",
    "cycle": "cycle", "cycles": "cycle", "dose": "dose", "doses": "dose",
}
_UNIT_ALT = "|".join(sorted((re.escape(u) for u in UNITS), key=len, reverse=True))
_NUMBER = re.compile(rf"(?<![\w.,/])(\d+(?:[.,]\d+)?)(?:\s*({_UNIT_ALT})(?![\w²]))?")
NUMBER_WORDS = {"two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
                "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "half": "half", "twice": "twice"}
_WORD = re.compile(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ\-]*")


@dataclass(frozen=True)
class Addition:
    kind: str  # "number", "drug" or "negation"
    text: str


def restatement(content: str) -> str:
    """The body's paragraphs before the first bold-labelled one, roles removed."""
    paragraphs = re.split(r"\n\s*\n", content.strip())
    kept = []
    for para in paragraphs:
        if _LABEL.match(para):
            break
        kept.append(para)
    return plain(" ".join(kept))


def plain(text: str) -> str:
    """Roles (citations, need references: IDs hold digits) and emphasis dropped, dashes as spaces."""
    text = _ROLE.sub(" ", text)
    text = text.replace("**", " ").replace("\u2019", "'")
    text = _DASHES.sub(" ", text)
    return " ".join(text.split())


def _numbers(text: str) -> list[tuple[str, str]]:
    out = []
    lowered = text.lower()
    for match in _NUMBER.finditer(lowered):
        number = match.group(1).replace(",", ".")
        out.append((number, UNITS.get(match.group(2) or "", "")))
    for word in _WORD.findall(lowered):
        if word in NUMBER_WORDS:
            out.append((word, ""))
    return out


def _has_number(quote: str, number: str, unit: str) -> bool:
    lowered = quote.lower()
    if number in NUMBER_WORDS:
        return bool(re.search(rf"\b{number}\b", lowered)) or _has_number(quote, NUMBER_WORDS[number], unit)
    for found, found_unit in _numbers(quote):
        if found == number and (not unit or found_unit == unit):
            return True
    # The quote may spell the number out ("three-month" for "3 months").
    spelled = [w for w, d in NUMBER_WORDS.items() if d == number]
    return any(re.search(rf"\b{w}\s*{unit}" if unit else rf"\b{w}\b", lowered) for w in spelled)


def is_drug(word: str, rules: Faithfulness) -> bool:
    word = word.lower()
    if word in (d.lower() for d in rules.drug_names):
        return True
    return any(word.endswith(stem.lower()) and len(word) >= len(stem) + 5 for stem in rules.inn_stems)


def _negations(text: str, rules: Faithfulness) -> list[str]:
    words = rules.negations or DEFAULT_NEGATIONS
    lowered = text.lower()
    found = [w for w in _WORD.findall(lowered) if w in words]
    if "n't" in words:
        found += re.findall(r"\w+n't\b", lowered)
    return found


def additions(restated: str, quote: str, rules: Faithfulness) -> list[Addition]:
    """Numbers, drug names and negations in ``restated`` that ``quote`` does not have."""
    restated, quote_plain = plain(restated), plain(quote)
    out: list[Addition] = []
    seen: set[tuple[str, str]] = set()
    for number, unit in _numbers(restated):
        if (number, unit) in seen:
            continue
        seen.add((number, unit))
        if not _has_number(quote_plain, number, unit):
            out.append(Addition("number", f"{number} {unit}".strip()))
    quote_words = {w.lower() for w in _WORD.findall(quote_plain)}
    for word in dict.fromkeys(w.lower() for w in _WORD.findall(restated)):
        if is_drug(word, rules) and word not in quote_words:
            out.append(Addition("drug", word))
    negations = _negations(restated, rules)
    if negations and not _negations(quote_plain, rules):
        out.append(Addition("negation", ", ".join(dict.fromkeys(negations))))
    return out
