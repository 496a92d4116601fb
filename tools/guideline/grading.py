"""The grading scheme and guideline settings, read from ``docs/guideline.toml``.

The panel owns this file: it declares the scheme once (levels of evidence and
grades A-E, or GRADE's strength, direction and certainty) together with what
each grade requires of its evidence. The need model takes its enums from here,
the validator enforces the requirements (:mod:`guideline.check.coherence`) and
the Grading page renders the same data. :func:`rating_badge` is the one place a
rating is formatted for readers.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import GuidelineError

SETTINGS_FILE = "guideline.toml"

LEVELS_GRADES = "levels-grades"
GRADE = "grade"
SCHEMES = (LEVELS_GRADES, GRADE)

# What the panel may assert about a claim (the machine check of the quote is separate).
ASSERTIONS = ("corroborated", "source statement", "contradicted")
# Reading of the older single ``verification`` field, kept for projects not yet migrated:
# "verified" only ever meant that the source on file says it.
LEGACY_ASSERTION = {"verified": "source statement", "contradicted": "contradicted"}

# Negation words a restatement may not add to its quote (faithfulness rule).
DEFAULT_NEGATIONS = ("not", "no", "never", "none", "nor", "neither", "without", "cannot", "n't", "nothing")
# International Nonproprietary Name stems of drug classes (WHO), used when guideline.toml lists none.
DEFAULT_INN_STEMS = ("mab", "cel", "tinib", "ciclib", "parib", "lisib", "zomib", "lidomide", "platin",
                     "rubicin", "tecan", "taxel", "degib", "rafenib", "leucel")


@dataclass(frozen=True)
class Grade:
    code: str
    meaning: str


@dataclass(frozen=True)
class Requirement:
    """What a grade (A-E) or a certainty (GRADE) requires of a recommendation's evidence.

    At least one claim in ``based_on`` must come from a source of one of
    ``source_kinds`` (any kind if empty) with at least ``min_reliability``, and
    carry one of ``assertions``. ``levels`` lists the levels of evidence the grade
    allows (A-E scheme only; empty means any).
    """

    code: str
    levels: tuple[str, ...] = ()
    source_kinds: tuple[str, ...] = ()
    min_reliability: str = ""
    assertions: tuple[str, ...] = ("corroborated", "source statement")

    def describe(self) -> str:
        parts = []
        if self.levels:
            parts.append("level " + " or ".join(self.levels))
        kinds = " or ".join(self.source_kinds) if self.source_kinds else "any kind of source"
        reliability = f" of at least {self.min_reliability} reliability" if self.min_reliability else ""
        parts.append(f"a claim from {kinds}{reliability}, {' or '.join(self.assertions)}")
        return "; ".join(parts)


@dataclass(frozen=True)
class Faithfulness:
    """Words a claim's restatement may only use if its quote has them."""

    inn_stems: tuple[str, ...] = DEFAULT_INN_STEMS
    drug_names: tuple[str, ...] = ()
    negations: tuple[str, ...] = DEFAULT_NEGATIONS


@dataclass(frozen=True)
class Settings:
    title: str
    short_title: str
    scheme_name: str
    levels: tuple[Grade, ...]
    grades: tuple[Grade, ...]
    review_interval_days: int
    contact: str
    html_base_url: str
    scheme: str = LEVELS_GRADES
    note: str = ""
    # A-E: keyed by grade; GRADE: keyed by certainty.
    requirements: dict[str, Requirement] = field(default_factory=dict)
    strengths: tuple[Grade, ...] = ()
    directions: tuple[Grade, ...] = ()
    certainties: tuple[Grade, ...] = ()
    # GRADE: certainties on which a strong recommendation needs no declared paradigm.
    strong_certainties: tuple[str, ...] = ()
    paradigms: tuple[str, ...] = ()
    # None when guideline.toml declares no [faithfulness] table: the rule is the panel's choice,
    # so content written before it existed (earlier editions) still builds.
    faithfulness: Faithfulness | None = None

    @property
    def level_codes(self) -> list[str]:
        return [g.code for g in self.levels]

    @property
    def grade_codes(self) -> list[str]:
        return [g.code for g in self.grades]

    @property
    def is_grade(self) -> bool:
        return self.scheme == GRADE


def _grades(table: Any) -> tuple[Grade, ...]:
    return tuple(Grade(str(code), str(text)) for code, text in (table or {}).items())


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError(f"{what} must be a list of strings")
    return tuple(value)


def _requirements(table: Any, codes: list[str], levels: list[str]) -> dict[str, Requirement]:
    from .model import RELIABILITIES, SOURCE_KINDS

    out: dict[str, Requirement] = {}
    for code, spec in (table or {}).items():
        if code not in codes:
            raise ValueError(f"requirements.{code}: {code!r} is not declared by the scheme ({', '.join(codes)})")
        req = Requirement(
            code=code,
            levels=_strings(spec.get("levels"), f"requirements.{code}.levels"),
            source_kinds=_strings(spec.get("source_kinds"), f"requirements.{code}.source_kinds"),
            min_reliability=str(spec.get("min_reliability", "")),
            assertions=_strings(spec.get("assertions", ["corroborated", "source statement"]),
                                f"requirements.{code}.assertions"),
        )
        unknown = ([lv for lv in req.levels if lv not in levels]
                   + [k for k in req.source_kinds if k not in SOURCE_KINDS]
                   + [a for a in req.assertions if a not in ASSERTIONS])
        if req.min_reliability and req.min_reliability not in RELIABILITIES:
            unknown.append(req.min_reliability)
        if unknown:
            raise ValueError(f"requirements.{code}: unknown value(s) {', '.join(map(repr, unknown))}")
        out[code] = req
    return out


def load_settings(docs_dir: Path | str) -> Settings:
    path = Path(docs_dir) / SETTINGS_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GuidelineError(str(path), 0, "settings.missing", "guideline settings file not found") from None
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", 0) or 0
        raise GuidelineError(str(path), line, "settings.syntax", f"invalid TOML: {exc}") from None
    try:
        meta = data["guideline"]
        grading = data["grading"]
        scheme = grading.get("scheme", LEVELS_GRADES)
        if scheme not in SCHEMES:
            raise ValueError(f"grading.scheme {scheme!r} is not one of {', '.join(SCHEMES)}")
        levels, grades = _grades(grading.get("levels")), _grades(grading.get("grades"))
        strengths, directions = _grades(grading.get("strengths")), _grades(grading.get("directions"))
        certainties = _grades(grading.get("certainties"))
        if scheme == LEVELS_GRADES and not (levels and grades):
            raise KeyError("grading.levels and grading.grades")
        if scheme == GRADE and not (strengths and directions and certainties):
            raise KeyError("grading.strengths, grading.directions and grading.certainties")
        keyed = [g.code for g in (certainties if scheme == GRADE else grades)]
        strong = grading.get("strong", {})
        faith = data.get("faithfulness", {})
        return Settings(
            title=meta["title"],
            short_title=meta.get("short_title", meta["title"]),
            scheme_name=grading["name"],
            levels=levels,
            grades=grades,
            review_interval_days=int(meta["review_interval_days"]),
            contact=meta["contact"],
            html_base_url=meta.get("html_base_url", ""),
            scheme=scheme,
            note=str(grading.get("note", "")),
            requirements=_requirements(grading.get("requirements"), keyed, [lv.code for lv in levels]),
            strengths=strengths,
            directions=directions,
            certainties=certainties,
            strong_certainties=_strings(strong.get("certainties"), "grading.strong.certainties"),
            paradigms=_strings(strong.get("paradigms"), "grading.strong.paradigms"),
            faithfulness=None if "faithfulness" not in data else Faithfulness(
                inn_stems=_strings(faith.get("inn_stems"), "faithfulness.inn_stems") or DEFAULT_INN_STEMS,
                drug_names=_strings(faith.get("drug_names"), "faithfulness.drug_names"),
                negations=_strings(faith.get("negations"), "faithfulness.negations") or DEFAULT_NEGATIONS,
            ),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise GuidelineError(str(path), 0, "settings.schema", f"missing or malformed setting: {exc}") from None


def claim_assertion(fields: dict[str, Any]) -> str:
    """The panel's assertion about a claim (``assertion``, else the legacy ``verification``)."""
    value = str(fields.get("assertion") or "").strip()
    if value:
        return value
    return LEGACY_ASSERTION.get(str(fields.get("verification") or "").strip(), "")


def _meaning(grades: tuple[Grade, ...], code: str) -> str:
    return next((g.meaning for g in grades if g.code == code), "")


GOOD_PRACTICE_CRITERIA = ("the message is necessary, the net benefit is large and unequivocal, collecting evidence "
                          "would be a poor use of effort, and the rationale is stated explicitly.")
GOOD_PRACTICE_MEANING = "Ungraded: " + GOOD_PRACTICE_CRITERIA


def rating_terms(need: dict[str, Any], settings: Settings) -> list[str]:
    """The meaning of each part of a need's rating, one sentence each ("Grade B: ...", "Level V: ...").

    A legend or a handout's key lists each term once; :func:`rating_badge` joins them.
    """
    if need.get("type") == "gps":
        return ["Good practice statement (ungraded): " + GOOD_PRACTICE_CRITERIA]
    if settings.is_grade:
        strength = str(need.get("strength") or "?")
        direction = str(need.get("direction") or "?")
        certainty = str(need.get("certainty") or "?")
        return [f"{strength.capitalize()} recommendation {direction}: {_meaning(settings.strengths, strength)}".strip(),
                f"Certainty of evidence {certainty}: {_meaning(settings.certainties, certainty)}".strip()]
    grade, level = str(need.get("grade") or "?"), str(need.get("level") or "?")
    return [f"Grade {grade}: {_meaning(settings.grades, grade)}".strip(),
            f"Level {level}: {_meaning(settings.levels, level)}".strip()]


def rating_badge(need: dict[str, Any], settings: Settings) -> tuple[str, str]:
    """A short badge text and a longer explanation of a need's rating.

    ``need`` is a plain dict (needs.json item or sphinx-needs need). Good practice
    statements are ungraded; a recommendation is rated in the declared scheme.
    """
    if need.get("type") == "gps":
        return "Good practice statement", GOOD_PRACTICE_MEANING
    explanation = " ".join(rating_terms(need, settings))
    if settings.is_grade:
        strength = str(need.get("strength") or "?")
        direction = str(need.get("direction") or "?")
        certainty = str(need.get("certainty") or "?")
        paradigm = str(need.get("paradigm") or "").strip()
        if paradigm:
            explanation += f" Strong despite low certainty because: {paradigm}"
        return f"{strength.capitalize()} {direction} \u00b7 {certainty} certainty", explanation
    grade, level = str(need.get("grade") or "?"), str(need.get("level") or "?")
    return f"Grade {grade} \u00b7 Level {level}", explanation
