"""``guideline edition build|verify|diff|pdf`` and ``guideline site``."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from ..errors import GuidelineError
from ..project import find_project


@click.group("edition")
def edition() -> None:
    """Build, verify and compare versioned editions (registry: docs/editions.toml)."""


@edition.command("build")
@click.argument("edition_id")
@click.option("-v", "--verbose", is_flag=True, help="Show Sphinx's progress.")
def build_cmd(edition_id: str, verbose: bool) -> None:
    """Build EDITION_ID from its source commit into build/editions/EDITION_ID.

    HTML with the edition stamp, full PDF, handout PDF, needs.json, what's new,
    the validator's report and manifest.json; written atomically. A final edition
    already built is never overwritten with different content.
    """
    from .build import build_edition

    project = find_project()
    started = time.perf_counter()
    result = build_edition(project.root, edition_id, quiet=not verbose,
                           log=lambda msg: click.echo(f"[{edition_id}] {msg}", err=True))
    counts = result.manifest.get("counts", {})
    click.echo(f"{result.outcome} {result.path} in {time.perf_counter() - started:.1f} s: "
               f"{counts.get('recommendations', 0)} recommendations, {counts.get('claims', 0)} claims, "
               f"{counts.get('sources', 0)} sources, {counts.get('references', 0)} references")
    if result.sealed:
        click.echo(f"sealed edition {edition_id} in docs/editions.lock.json (renderer "
                   f"{result.manifest['renderer']['id']}): commit that file with the registry")


@edition.command("list")
def list_cmd() -> None:
    """The registered editions, oldest first: id, date, status, commit."""
    from . import registry, seal

    root = find_project().root
    editions = registry.load(root)
    seal.check_registry(seal.load(root), editions)
    for item in editions:
        click.echo(f"{item.id}\t{item.date}\t{item.status}\t{item.commit[:12]}")


@edition.command("verify")
@click.argument("edition_id")
def verify_cmd(edition_id: str) -> None:
    """Check a built edition: every file against manifest.json, a final one against its seal.

    Reports modified, missing and extra files, symlinks, empty folders, and any
    disagreement with docs/editions.toml or docs/editions.lock.json (exit 1).
    """
    from . import locks, registry, seal
    from .verify import check

    registry.validate_id(edition_id, "<command line>")
    root = find_project().root
    editions = registry.load(root)
    sealed = seal.load(root)
    seal.check_registry(sealed, editions)
    edition = registry.get(editions, edition_id)  # the registry says what the folder should be
    with locks.reading(root, edition_id):
        report = check(root, edition, sealed)
    for line in report.lines():
        click.echo(f"build/editions/{edition_id}: {line}")
    if not report.clean:
        click.echo(f"build/editions/{edition_id}: [{report.rule}] edition {edition_id}: {len(report.modified)} modified, "
                   f"{len(report.missing)} missing, {len(report.extra)} extra file(s), "
                   f"{len(report.symlinks)} symlink(s), {len(report.empty_folders)} empty folder(s), "
                   f"{len(report.seal)} seal finding(s)", err=True)
        sys.exit(1)
    sealed_note = ", sealed" if edition.final else ""
    click.echo(f"edition {edition_id}: {report.checked} files verified{sealed_note}")


def _needs_source(project, ref: str) -> tuple[str, dict]:
    """An edition id (its built needs.json, or its commit) or a path to a needs.json."""
    from . import diff as diffmod
    from . import registry
    from .build import needs_of_commit
    from .locks import work_folder

    path = Path(ref)
    if path.suffix == ".json" or path.is_file():
        return path.stem, diffmod.load(path)
    registry.validate_id(ref, "<command line>")
    built = project.build / "editions" / ref / "needs.json"
    if built.is_file():
        return ref, diffmod.load(built)
    edition = registry.get(registry.load(project.root), ref)
    with work_folder(project.root) as work:
        return ref, needs_of_commit(project.root, edition, work)


@edition.command("diff")
@click.argument("old")
@click.argument("new")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def diff_cmd(old: str, new: str, fmt: str) -> None:
    """What changed from edition OLD to NEW (ids, or paths to needs.json files)."""
    from . import diff as diffmod

    project = find_project() if not (old.endswith(".json") and new.endswith(".json")) else None
    old_id, old_needs = _needs_source(project, old)
    new_id, new_needs = _needs_source(project, new)
    data = diffmod.diff(old_needs, new_needs, old_id, new_id, [(old_id, old_needs)])
    click.echo(json.dumps(data, indent=2, sort_keys=True) if fmt == "json" else diffmod.to_text(data), nl=fmt == "json")


@edition.command("pdf")
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: build/pdf).")
@click.option("--name", default=None, help="File stem (default: the edition id or 'guideline').")
@click.option("--handout/--no-handout", default=True, show_default=True)
@click.option("-v", "--verbose", is_flag=True)
def pdf_cmd(out: Path | None, name: str | None, handout: bool, verbose: bool) -> None:
    """Full PDF (and handout) of the working tree, stamped from GUIDELINE_EDITION* / READTHEDOCS_VERSION.

    Used by Read the Docs (build.jobs.build.pdf) and `make pdf`.
    """
    import shutil
    import tempfile

    from ..sphinxext.edition import current_edition
    from .pdf import build_pdfs, copy_content

    project = find_project()
    info = current_edition(project.docs)
    target = _output_folder(out) if out else project.build / "pdf"
    target.mkdir(parents=True, exist_ok=True)
    stem = name or (info["id"] if info["id"] != "unreleased" else "guideline")
    with tempfile.TemporaryDirectory(prefix=".pdf-content.", dir=target) as tmp:
        content = copy_content(project.root, Path(tmp) / "content")
        edition = None if info["id"] == "unreleased" else info
        paths = build_pdfs(content, target, stem, edition=edition, handout=handout, quiet=not verbose)
    for path in paths.values():
        click.echo(f"wrote {path}")


def _output_folder(out: Path) -> Path:
    """``-o``: made with its parents, as ``guideline build -o`` does; unwritable is a finding, not a traceback."""
    from ..build import check_output

    check_output(out)
    return out


@click.command("site")
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: build/site).")
def site(out: Path | None) -> None:
    """Assemble every built edition into one static site (build/site): landing page, latest/, banners."""
    from .site import assemble

    project = find_project()
    started = time.perf_counter()
    result = assemble(project.root, out, log=lambda msg: click.echo(msg, err=True))
    click.echo(f"site {result['path']}: editions {', '.join(result['editions'])}; latest "
               f"{result['latest'] or '-'}; banner on {result['bannered_pages']} page(s); "
               f"{time.perf_counter() - started:.2f} s")


__all__ = ["edition", "site", "GuidelineError"]
