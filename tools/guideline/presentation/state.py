"""Everything presentation needs to know about all needs, computed once per write phase.

Pages call :func:`catalogue`; the first call converts the needs, numbers the
recommendations and reads the reference labels, later calls reuse it (a page's
own work stays proportional to what it shows, not to the size of the guideline).
It is dropped at ``env-updated``, when a new read phase may have changed needs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..grading import Settings, load_settings
from .numbering import Numbering, in_force, number_needs, reading_order

CACHE_ATTR = "_guideline_catalogue"
NEEDS_ATTR = "_guideline_need_dicts"


@dataclass(frozen=True)
class Reference:
    label: str  # the number printed in the reference list
    docname: str
    anchor: str


@dataclass
class Catalogue:
    needs: dict[str, dict[str, Any]]
    numbering: Numbering
    references: dict[str, Reference]
    settings: Settings
    whats_new: dict[str, Any] = field(default_factory=dict)
    sources_by_cite: dict[str, dict[str, Any]] = field(default_factory=dict)
    sources_by_file: dict[str, dict[str, Any]] = field(default_factory=dict)
    bib_keys: frozenset[str] = frozenset()  # every entry of the bibliography files, cited or not

    def of_type(self, *kinds: str) -> list[dict[str, Any]]:
        return [n for n in self.needs.values() if n.get("type") in kinds]

    def key_recommendations(self) -> tuple[list[str], bool]:
        """The panel's key recommendations in reading order; (all in force, True) when none is marked."""
        ordered = self.numbering.in_order()
        marked = [i for i in ordered if _truthy(self.needs[i].get("key"))]
        return (marked, False) if marked else (ordered, True)

    def history(self, need_id: str) -> dict[str, Any]:
        return (self.whats_new.get("history") or {}).get(need_id, {})

    def change(self, need_id: str) -> dict[str, Any] | None:
        for change in (self.whats_new.get("recommendations") or {}).get("changed", []):
            if change.get("id") == need_id:
                return change
        return None


def _truthy(value: Any) -> bool:
    return value is True or str(value).strip().lower() in ("true", "yes", "1")


def reliability_of(cat: Catalogue, claim: dict[str, Any]) -> str:
    source = cat.sources_by_cite.get(claim.get("cite") or "")
    return (source or {}).get("reliability") or ""


def whats_new_path(config: Any, srcdir: str | Path) -> Path | None:
    """The edition builder's change record (relative to the source folder), if this build has one."""
    value = config.guideline_whats_new
    return (Path(srcdir) / value).resolve() if value else None


def _bib_keys(env: Any) -> frozenset[str]:
    try:
        return frozenset(env.get_domain("cite").bibdata.data.entries.keys())
    except Exception:  # no sphinxcontrib-bibtex, or no bibliography files
        return frozenset()


def _references(env: Any) -> dict[str, Reference]:
    try:
        domain = env.get_domain("cite")
    except Exception:  # sphinxcontrib-bibtex not loaded (a project without references)
        return {}
    out: dict[str, Reference] = {}
    for citation in getattr(domain, "citations", []):
        out.setdefault(citation.key, Reference(str(citation.formatted_entry.label),
                                               citation.bibliography_key.docname, citation.citation_id))
    return out


def need_dicts(app: Any) -> dict[str, dict[str, Any]]:
    """Every need as a plain dict, converted once per write phase (the validator and the views share it).

    ``dict(need.items())``: sphinx-needs' ``NeedItem.items()`` chains its field dicts, where
    ``dict(need)`` looks each key up through all of them (0.93 s against 0.19 s at 10,000 needs)."""
    cached = getattr(app, NEEDS_ATTR, None)
    if cached is None:
        from sphinx_needs.data import SphinxNeedsData

        cached = {k: dict(v.items()) for k, v in SphinxNeedsData(app.env).get_needs_view().items()}
        setattr(app, NEEDS_ATTR, cached)
    return cached


def catalogue(app: Any) -> Catalogue:
    cached = getattr(app, CACHE_ATTR, None)
    if cached is not None:
        return cached
    env = app.env
    needs = need_dicts(app)
    start = app.config.guideline_main_doc
    start = start if start in env.found_docs else app.config.root_doc
    order = reading_order(env.toctree_includes, start, env.found_docs)
    titles = {doc: env.titles[doc].astext() for doc in order if doc in env.titles}
    whats_new: dict[str, Any] = {}
    path = whats_new_path(app.config, app.srcdir)
    if path and path.is_file():
        whats_new = json.loads(path.read_text(encoding="utf-8"))
    cat = Catalogue(needs, number_needs(needs, order, titles), _references(env), load_settings(app.srcdir),
                    whats_new, bib_keys=_bib_keys(env))
    for need in needs.values():
        if need.get("type") == "source":
            if need.get("cite"):
                cat.sources_by_cite.setdefault(need["cite"], need)
            if need.get("file"):
                cat.sources_by_file.setdefault(str(need["file"]).strip(), need)
    setattr(app, CACHE_ATTR, cat)
    return cat


def forget(app: Any, *_: Any) -> None:
    setattr(app, CACHE_ATTR, None)
    setattr(app, NEEDS_ATTR, None)


__all__ = ["Catalogue", "Reference", "catalogue", "forget", "in_force", "need_dicts", "reliability_of",
           "whats_new_path"]
