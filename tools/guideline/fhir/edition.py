"""The bundle of an edition, written by the edition build beside its needs.json.

Built from the edition's own content (its commit's docs/ and references.bib) and
dated with the edition's date; the manifest then lists it with its sha256 like
every other file, so ``guideline edition verify`` covers it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .bundle import BUNDLE_NAME, export_file
from .inputs import Edition


def write_edition_bundle(stage: Path, content: Path, edition: Any) -> dict[str, int]:
    """``stage/guideline.fhir.json`` from ``stage/needs.json`` and the content tree; resources per type."""
    return export_file(stage / "needs.json", content, Edition(edition.id, edition.date, edition.status),
                       stage / BUNDLE_NAME)
