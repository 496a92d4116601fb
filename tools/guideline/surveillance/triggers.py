"""Editions say what triggered them: ``triggered_by`` in docs/editions.toml names log hits.

Each id must be a hit of the surveillance log (error otherwise); a trigger
should be a triaged item (warning when it is still ``new`` or was found
``not relevant``).
"""

from __future__ import annotations

from pathlib import Path

from ..check.findings import Finding
from ..check.rules import finding
from ..editions import registry
from ..errors import GuidelineError
from .log import Log

REGISTRY = registry.REGISTRY


def editions(root: Path) -> list[registry.Edition]:
    """The registered editions, or none when the registry is absent or broken (it reports itself)."""
    try:
        return registry.load(root)
    except GuidelineError:
        return []


def check(root: Path, log: Log) -> list[Finding]:
    out: list[Finding] = []
    file = REGISTRY.as_posix()
    for edition in editions(root):
        for ref in edition.triggered_by:
            hit = log.hits.get(ref)
            if hit is None:
                out.append(finding("surv.trigger", file, edition.line,
                                   f"edition {edition.id}: triggered_by names {ref!r}, which is not a hit of "
                                   f"the surveillance log {log.file}"))
            elif hit.state in ("new", "not relevant"):
                out.append(finding("surv.trigger", file, edition.line,
                                   f"edition {edition.id}: its trigger {ref} is triaged {hit.state!r}",
                                   "triage it relevant or included, or drop it from triggered_by",
                                   severity="warning"))
    return out
