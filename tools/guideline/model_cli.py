"""``guideline model``: the need model for editors (ubproject.toml)."""

from __future__ import annotations

import click

from .errors import GuidelineError


@click.group()
def model() -> None:
    """The need model (types, fields, links, schema rules) outside Sphinx."""


@model.command("export")
@click.option("--check", "check_only", is_flag=True,
              help="Do not write; exit 1 if the committed ubproject.toml is out of date.")
def export_cmd(check_only: bool) -> None:
    """Write ubproject.toml (sphinx-needs' TOML configuration, read by the ubCode editor extension)
    from tools/guideline/model.py and docs/guideline.toml."""
    from .grading import load_settings
    from .project import find_project
    from .ubproject import FILE_NAME, export, render

    project = find_project()
    settings = load_settings(project.docs)
    target = project.root / FILE_NAME
    if check_only:
        current = target.read_text(encoding="utf-8") if target.is_file() else ""
        if current != render(settings):
            raise GuidelineError(FILE_NAME, 0, "model.stale", "ubproject.toml is not the current need model",
                                 "run `guideline model export` and commit the file")
        click.echo(f"{FILE_NAME} is up to date")
        return
    click.echo(f"wrote {export(project.root, settings)}")
