"""``guideline export fhir``: the built guideline as a FHIR R5 Bundle."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import GuidelineError
from ..project import find_project


@click.group("export")
def export() -> None:
    """Export the built guideline in other formats."""


def edition_of_working_tree(docs: Path, needs_json: Path, date: str | None):
    """The edition stamp of the working tree (GUIDELINE_EDITION*, Read the Docs), else "unreleased".

    An unreleased export is dated by ``--date`` or, failing that, by the newest
    ``last_reviewed`` of its recommendations: a date from the content, never the clock.
    """
    from ..sphinxext.edition import current_edition
    from .inputs import RATED_TYPES, Edition, load_needs

    info = current_edition(docs)
    chosen = date or info.get("date") or ""
    if not chosen:
        reviewed = [str(n.get("last_reviewed")) for n in load_needs(needs_json).values()
                    if n.get("type") in RATED_TYPES and n.get("last_reviewed")]
        chosen = max(reviewed, default="")
    if not chosen:
        raise GuidelineError(str(needs_json), 0, "usage.fhir-date",
                             "no edition date and no last_reviewed date to date the export",
                             "pass --date YYYY-MM-DD")
    return Edition(info["id"], chosen, info.get("status") or "unreleased")


@export.command("fhir")
@click.option("-o", "--out", default=None, help="Output file, '-' for standard output "
              "(default: guideline.fhir.json beside needs.json).")
@click.option("--needs", "needs_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="needs.json of a build (default: build/html/needs.json).")
@click.option("--date", default=None, help="Date of an unreleased export (default: the edition's date, "
              "else the newest last_reviewed).")
@click.option("--only", "only", default=None, metavar="NEED_ID",
              help="Write only this recommendation's entries (plan, rating, evidence, citations) as a JSON list.")
def fhir(out: str | None, needs_path: Path | None, date: str | None, only: str | None) -> None:
    """Write the guideline as a FHIR R5 Bundle (type collection) in EBM-on-FHIR shapes.

    Composition (the guideline, chapters), per recommendation a PlanDefinition and
    the ArtifactAssessment rating it, per claim an Evidence with its verbatim quote,
    per source an appraisal (ArtifactAssessment), per cited reference a Citation,
    and the CodeSystems of the grading scheme and appraisal terms. Built from
    needs.json (run `guideline build` first), references.bib and docs/guideline.toml.
    Deterministic: the same sources give the same bytes.
    """
    import tempfile

    from .bundle import BUNDLE_NAME, export_file

    project = find_project()
    needs_json = needs_path or project.build / "html" / "needs.json"
    edition = edition_of_working_tree(project.docs, needs_json, date)
    if out == "-":
        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / BUNDLE_NAME
            counts = export_file(needs_json, project.root, edition, target, only=only)
            sys.stdout.write(target.read_text(encoding="utf-8"))
    else:
        target = Path(out) if out else needs_json.parent / BUNDLE_NAME
        counts = export_file(needs_json, project.root, edition, target, only=only)
    shown = ", ".join(f"{n} {kind}" for kind, n in counts.items())
    click.echo(f"wrote {'standard output' if out == '-' else target} (edition {edition.id}, {edition.date}): "
               f"{sum(counts.values())} resources: {shown}", err=True)
