"""The need model: need types, their fields and links, declared once.

Everything that knows what a recommendation, a claim or a source is reads this
module: the Sphinx extension turns it into sphinx-needs configuration
(``needs_types``, ``needs_fields``, ``needs_links``, schema rules) and the
validator uses the same enums and ID patterns. The grading scheme is panel data
and lives in ``docs/guideline.toml`` (see :mod:`guideline.grading`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STATUSES = ("draft", "approved", "superseded", "retired")
# Legacy single field: kept readable for projects not yet migrated to ``assertion``.
VERIFICATIONS = ("verified", "unverified", "contradicted")
# What the panel asserts about a claim; the machine check of the quote is separate.
ASSERTIONS = ("corroborated", "source statement", "contradicted")
RELIABILITIES = ("high", "moderate", "low", "unreliable")
# Ordered from most to least reliable; the evidence-chain rules compare positions.
SOURCE_KINDS = (
    "consensus guideline",
    "systematic review",
    "primary trial report",
    "conference abstract",
    "expert commentary",
    "news report",
    "machine-generated text",
    "other",
)
GAP_STATUSES = ("open", "answered", "retired")

EDITION_PATTERN = r"^[0-9]{4}\.[0-9]+$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# A bib key as BibTeX allows it, minus characters that break roles and filters.
BIBKEY_PATTERN = r"^[A-Za-z][A-Za-z0-9_:\-]*$"

# Stable, human-readable IDs: a type prefix, a topic or source tag, a number.
# They never encode position, so they survive reordering across editions.
ID_PATTERNS = {
    "rec": r"^REC_[A-Z][A-Z0-9]*_[0-9]{2}$",
    "claim": r"^CLM_[A-Z][A-Z0-9]*_[0-9]{2}$",
    "source": r"^SRC_[A-Z][A-Z0-9]*$",
    "gap": r"^GAP_[A-Z][A-Z0-9]*_[0-9]{2}$",
    "gps": r"^GPS_[A-Z][A-Z0-9]*_[0-9]{2}$",
}
# sphinx-needs checks every ID against one regex; the per-type patterns above
# are enforced by schema rules so the message names the type.
GLOBAL_ID_REGEX = r"^(REC|CLM|SRC|GAP|GPS)_[A-Z0-9_]+$"


@dataclass(frozen=True)
class NeedTypeSpec:
    directive: str
    title: str
    prefix: str
    color: str
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    core: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class LinkSpec:
    name: str
    outgoing: str
    incoming: str
    targets: tuple[str, ...]
    # Need types that must carry at least one link of this kind.
    required_on: tuple[str, ...] = ()


def _enum(values: tuple[str, ...] | list[str], description: str) -> dict[str, Any]:
    return {"description": description, "schema": {"type": "string", "enum": list(values)}}


def _pattern(pattern: str, description: str) -> dict[str, Any]:
    return {"description": description, "schema": {"type": "string", "pattern": pattern}}


_KEY = {
    "description": "A key recommendation chosen by the panel (index page, handout).",
    "schema": {"type": "boolean"},
    "default": False,
}
_INTRODUCED = _pattern(EDITION_PATTERN, "Edition the item first appeared in.")
_LAST_REVIEWED = _pattern(DATE_PATTERN, "Date the panel last reviewed it (YYYY-MM-DD).")


def rating_fields(grades: list[str], levels: list[str], scheme: str = "levels-grades",
                  strengths: list[str] = (), directions: list[str] = (),
                  certainties: list[str] = ()) -> tuple[dict[str, dict[str, Any]], tuple[str, ...]]:
    """The rating fields of a recommendation in the declared scheme, and which are required."""
    if scheme == "grade":
        return {
            "strength": _enum(list(strengths), "Strength of the recommendation (GRADE)."),
            "direction": _enum(list(directions), "Direction: for or against the intervention (GRADE)."),
            "certainty": _enum(list(certainties), "Certainty of the evidence (GRADE)."),
            "paradigm": {"description": "Declared paradigmatic situation justifying a strong recommendation "
                                        "on low or very low certainty.", "schema": {"type": "string"}},
        }, ("strength", "direction", "certainty")
    return {
        "grade": _enum(grades, "Grade of recommendation (see the grading scheme)."),
        "level": _enum(levels, "Level of evidence (see the grading scheme)."),
    }, ("grade", "level")


def need_types(grades: list[str], levels: list[str], scheme: str = "levels-grades",
               strengths: list[str] = (), directions: list[str] = (),
               certainties: list[str] = ()) -> list[NeedTypeSpec]:
    """The need types; the rating fields and their enums come from the grading scheme."""
    rating, rating_required = rating_fields(grades, levels, scheme, strengths, directions, certainties)
    return [
        NeedTypeSpec(
            "rec", "Recommendation", "REC_", "#d8e8f5",
            fields={
                **rating,
                "introduced": _INTRODUCED,
                "last_reviewed": _LAST_REVIEWED,
                "key": _KEY,
            },
            required=(*rating_required, "introduced", "last_reviewed"),
            # ``status`` is a sphinx-needs core field: its enum is a schema rule.
            core={"status": {"type": "string", "enum": list(STATUSES)}},
        ),
        NeedTypeSpec(
            "gps", "Good practice statement", "GPS_", "#e8e0f5",
            fields={"introduced": _INTRODUCED, "last_reviewed": _LAST_REVIEWED, "key": _KEY},
            required=("introduced", "last_reviewed"),
            core={"status": {"type": "string", "enum": list(STATUSES)}},
        ),
        NeedTypeSpec(
            "claim", "Claim", "CLM_", "#f5ecd8",
            fields={
                "cite": _pattern(BIBKEY_PATTERN, "Key in references.bib of the source the claim is taken from."),
                "quote": {"description": "Exact words of the source.", "schema": {"type": "string", "minLength": 1}},
                "assertion": _enum(ASSERTIONS, "What the panel asserts: corroborated by an independent claim "
                                               "(corroborated_by), the source's own statement, or contradicted "
                                               "(a correcting claim contradicts it)."),
                "verification": _enum(VERIFICATIONS, "Legacy: use assertion."),
            },
            required=("cite", "quote"),
        ),
        NeedTypeSpec(
            "source", "Source", "SRC_", "#e3f0e0",
            fields={
                "cite": _pattern(BIBKEY_PATTERN, "Key in references.bib of the appraised document."),
                "kind": _enum(SOURCE_KINDS, "What kind of document it is."),
                "reliability": _enum(RELIABILITIES, "Appraised reliability."),
                "file": _pattern(r"^seeds/[A-Za-z0-9_.\-]+$", "Text on file, relative to the repository root."),
            },
            required=("cite", "kind", "reliability"),
        ),
        NeedTypeSpec(
            "gap", "Evidence gap", "GAP_", "#eeeeee",
            core={"status": {"type": "string", "enum": list(GAP_STATUSES)}},
        ),
    ]


def need_types_for(settings: Any) -> list[NeedTypeSpec]:
    """The need types for a :class:`guideline.grading.Settings`."""
    return need_types(settings.grade_codes, settings.level_codes, settings.scheme,
                      [g.code for g in settings.strengths], [g.code for g in settings.directions],
                      [g.code for g in settings.certainties])


LINKS: tuple[LinkSpec, ...] = (
    LinkSpec("based_on", "based on", "supports", ("claim",), required_on=("rec",)),
    # A good practice statement may replace a recommendation (and vice versa).
    LinkSpec("supersedes", "supersedes", "superseded by", ("rec", "gps")),
    LinkSpec("contradicts", "contradicts", "contradicted by", ("claim",)),
    LinkSpec("raised_by", "raised by", "raises", ("claim",)),
    LinkSpec("corroborated_by", "corroborated by", "corroborates", ("claim",)),
)


def field_names() -> set[str]:
    return ({name for t in need_types([], []) for name in t.fields}
            | {name for t in need_types([], [], "grade") for name in t.fields})
