"""The grading scheme and guideline settings, read from ``docs/guideline.toml``.

The panel owns this file: it declares the levels of evidence and grades of
recommendation once; the need model takes its enums from here and the Grading
page renders the same data.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import GuidelineError

SETTINGS_FILE = "guideline.toml"


@dataclass(frozen=True)
class Grade:
    code: str
    meaning: str


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

    @property
    def level_codes(self) -> list[str]:
        return [g.code for g in self.levels]

    @property
    def grade_codes(self) -> list[str]:
        return [g.code for g in self.grades]


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
        return Settings(
            title=meta["title"],
            short_title=meta.get("short_title", meta["title"]),
            scheme_name=grading["name"],
            levels=tuple(Grade(code, text) for code, text in grading["levels"].items()),
            grades=tuple(Grade(code, text) for code, text in grading["grades"].items()),
            review_interval_days=int(meta["review_interval_days"]),
            contact=meta["contact"],
            html_base_url=meta.get("html_base_url", ""),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise GuidelineError(str(path), 0, "settings.schema", f"missing or malformed setting: {exc}") from None


def rating_badge(need: dict, settings: Settings) -> tuple[str, str]:
    """The short badge of a recommendation's rating and its meaning (for a tooltip or legend).

    Minimal A-E/I-V version; the clinical layer owns the final one (GRADE, good
    practice statements). Presentation code calls this and formats no rating itself.
    """
    if need.get("type") == "gps":
        return ("Good practice statement",
                "Ungraded: a statement whose net benefit is large and unequivocal (GRADE good practice statement).")
    grade, level = need.get("grade") or "", need.get("level") or ""
    if not (grade or level):
        return ("", "")
    meanings = {g.code: g.meaning for g in settings.grades}
    levels = {g.code: g.meaning for g in settings.levels}
    text = " \u00b7 ".join(part for part in (f"Grade {grade}" if grade else "",
                                              f"Level {level}" if level else "") if part)
    explanation = " ".join(part for part in (
        f"Grade {grade}: {meanings[grade]}" if grade in meanings else "",
        f"Level {level}: {levels[level]}" if level in levels else "") if part)
    return (text, explanation)
