"""The ``guideline`` command: build, preview, check and publish the guideline.

Every sub-command reports problems as ``file:line: [rule] message`` and exits
non-zero; a traceback means a bug in the toolchain, not in the guideline.
"""

from __future__ import annotations

import gc
import sys
import time

import click

from . import __version__
from .errors import GuidelineError
from .project import find_project


class _Group(click.Group):
    """Turns GuidelineError into a one-line report and exit status."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except GuidelineError as exc:
            click.echo(str(exc), err=True)
            sys.exit(1 if not exc.rule.startswith("usage") else 2)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="guideline")
def main() -> None:
    """Living clinical guideline toolchain.

    The guideline is the repository: MyST pages in docs/, the appraised source
    texts in seeds/, the bibliography in references.bib. Recommendations,
    claims and sources are sphinx-needs items with stable IDs, so every
    recommendation traces to claims, every claim to a verbatim quote in a cited
    source.

    \b
    Typical use:
      guideline build          HTML site into build/html (+ needs.json), warnings are errors
      guideline serve          live preview while you edit
      guideline check          validate citations and the evidence chain
      guideline edition ...    build, verify and compare versioned editions
      guideline watch          run the saved literature and registry searches (surveillance)
    """


@main.command()
@click.option("-o", "--out", type=click.Path(file_okay=False), default=None,
              help="Output folder (default: build/html).")
@click.option("-q", "--quiet", is_flag=True, help="Only print problems.")
@click.option("-j", "--jobs", default=1, show_default=True, help="Parallel Sphinx processes.")
def build(out: str | None, quiet: bool, jobs: int) -> None:
    """Build the HTML guideline with warnings as errors.

    Writes build/html/index.html and build/html/needs.json (every recommendation,
    claim and source with its fields and links).
    """
    from pathlib import Path

    from .build import sphinx_html

    from .sphinxext import gcpolicy

    project = find_project()
    target = Path(out) if out else project.build / "html"
    started = time.perf_counter()
    gcpolicy.process_ends_with_build()
    sphinx_html(project.docs, target, quiet=quiet, jobs=jobs)
    click.echo(f"built {target / 'index.html'} and {target / 'needs.json'} "
               f"in {time.perf_counter() - started:.1f} s")


@main.command()
@click.option("--port", default=8000, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
def serve(port: int, host: str) -> None:
    """Live preview: rebuild on every change of docs/, seeds/ or references.bib."""
    try:
        from sphinx_autobuild.__main__ import main as autobuild
    except ImportError:
        raise GuidelineError("pyproject.toml", 0, "usage.missing-extra",
                             "sphinx-autobuild is not installed",
                             "pip install -e '.[serve]' (make install does this)") from None
    project = find_project()
    autobuild([str(project.docs), str(project.build / "serve"), "--host", host, "--port", str(port),
               "--watch", str(project.seeds), "--watch", str(project.bibfile), "--watch",
               str(project.root / "tools" / "guideline")])


# Sub-commands that live with their concern register here.
COMMANDS = [
    "guideline.check.cli:check",
    "guideline.editions.cli:edition",
    "guideline.editions.cli:site",
    "guideline.fhir.cli:export",
    "guideline.model_cli:model",
    "guideline.surveillance.cli:watch",
]


def _register() -> None:
    import importlib

    for dotted in COMMANDS:
        module_name, attr = dotted.split(":")
        main.add_command(getattr(importlib.import_module(module_name), attr))


_register()


def run() -> None:
    """The console script: :func:`main`, then the process ends without collecting its heap.

    A build leaves hundreds of MB of cyclic objects (doctrees, needs, the environment).
    Collecting them at interpreter exit took 2.8 s after a 10,000-need no-op build and
    longer after a full one; frozen, they are left to the operating system. Files are
    closed by then (every writer uses ``with``), and atexit handlers still run.
    """
    try:
        main()
    finally:
        gc.freeze()


if __name__ == "__main__":
    run()
