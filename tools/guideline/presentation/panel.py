"""The front matter of the printed guideline, as the panel registers it in ``guideline.toml``.

``[panel]`` lists the members with their affiliations (never invented: an
empty list is printed as such) and says whether the panel is a demonstration;
``[guideline] summary`` is the title page's summary; ``html_base_url_live``
says whether the HTML address is registered (until then it is not printed).
Read leniently: a missing table means "not stated", the need model's own
settings loader reports malformed files.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Member:
    name: str
    affiliation: str = ""
    role: str = ""


@dataclass(frozen=True)
class FrontMatter:
    title: str = ""
    summary: str = ""
    members: tuple[Member, ...] = ()
    demonstration: bool = True
    panel_statement: str = ""
    html_base_url: str = ""
    html_base_url_live: bool = False
    affiliations: tuple[str, ...] = field(default=())


def load_front_matter(docs: Path) -> FrontMatter:
    try:
        data = tomllib.loads((Path(docs) / "guideline.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return FrontMatter()
    meta = data.get("guideline") if isinstance(data.get("guideline"), dict) else {}
    panel = data.get("panel") if isinstance(data.get("panel"), dict) else {}
    members = tuple(Member(str(m.get("name", "")), str(m.get("affiliation", "")), str(m.get("role", "")))
                    for m in panel.get("members", []) if isinstance(m, dict) and m.get("name"))
    affiliations = tuple(dict.fromkeys(m.affiliation for m in members if m.affiliation))
    return FrontMatter(
        title=str(meta.get("title", "")),
        summary=" ".join(str(meta.get("summary", "")).split()),
        members=members,
        demonstration=bool(panel.get("demonstration", True)),
        panel_statement=" ".join(str(panel.get("statement", "")).split()),
        html_base_url=str(meta.get("html_base_url", "")),
        html_base_url_live=bool(meta.get("html_base_url_live", False)),
        affiliations=affiliations,
    )
