"""``guideline check``: the citation and evidence validator on the command line.

Exit status: 0 clean, 1 findings at or above ``--fail-on``, 2 usage or internal error.
Never a traceback: problems are printed as ``file:line: [rule] message``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import GuidelineError
from .findings import SEVERITIES


@click.command("check")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=".", show_default=True,
              help="Repository root (holds docs/, seeds/, references.bib).")
@click.option("--docs", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Documentation folder [default: ROOT/docs].")
@click.option("--bib", "bibs", type=click.Path(dir_okay=False, path_type=Path), multiple=True,
              help="BibTeX file(s) [default: ROOT/references.bib].")
@click.option("--lock", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Lockfile [default: ROOT/references.lock.json].")
@click.option("--online", is_flag=True, help="Verify DOIs, PMIDs and NCT numbers against the registries.")
@click.option("--no-write-lock", is_flag=True, help="With --online: do not update the lockfile.")
@click.option("--deadline", type=click.FloatRange(min=1), default=None, metavar="SECONDS",
              help="With --online: stop asking the registries after this long [default: 900].")
@click.option("--reference-deadline", type=click.FloatRange(min=1), default=None, metavar="SECONDS",
              help="With --online: give up on one reference after this long [default: 60].")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "junit"]), default="text",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the report to a file instead of standard output (missing folders are created).")
@click.option("--fail-on", type=click.Choice(list(reversed(SEVERITIES))), default="error", show_default=True,
              help="Exit 1 when a finding of this severity or above exists.")
@click.option("--min-severity", type=click.Choice(list(reversed(SEVERITIES))), default="info",
              show_default=True, help="Text report: hide findings below this severity.")
@click.option("--edition-date", default=None, metavar="YYYY-MM-DD",
              help="Edition date [default: $GUIDELINE_EDITION_DATE or today].")
@click.option("--no-cache", is_flag=True, help="Ignore and do not update .guideline-cache/.")
@click.option("--sources-only", is_flag=True,
              help="Skip the build's Sphinx read: only the validator's own rules (faster; not the full gate).")
@click.option("--crossref-url", envvar="GUIDELINE_CROSSREF_URL", default=None, hidden=True)
@click.option("--pubmed-url", envvar="GUIDELINE_PUBMED_URL", default=None, hidden=True)
@click.option("--ctgov-url", envvar="GUIDELINE_CTGOV_URL", default=None, hidden=True)
def check(root, docs, bibs, lock, online, no_write_lock, deadline, reference_deadline, fmt, output, fail_on,
          min_severity, edition_date, no_cache, sources_only, crossref_url, pubmed_url, ctgov_url) -> None:
    """Validate citations, identifiers, quotes and the evidence chain.

    With docs/conf.py it also runs the build's own Sphinx read, so every rule the build
    enforces is reported here with the same rule id, file and line."""
    try:
        from .engine import Options, edition_date as parse_edition, run_check
        from .online import OnlineConfig
        from .report import render

        opts = Options(root=root, docs=docs, bibs=list(bibs), lock=lock, online=online,
                       write_lock=not no_write_lock, use_cache=not no_cache, sphinx=False if sources_only else None,
                       edition=parse_edition(edition_date) if edition_date else None)
        if online:
            config = OnlineConfig(contact=opts.contact or "")
            config.crossref_url = crossref_url or config.crossref_url
            config.pubmed_url = pubmed_url or config.pubmed_url
            config.ctgov_url = ctgov_url or config.ctgov_url
            config.run_deadline = deadline or config.run_deadline
            config.reference_deadline = reference_deadline or config.reference_deadline
            opts.online_config = config
        result = run_check(opts)
        text = render(result, fmt, fail_on, min_severity)
        if output:
            write_report(output, text)
            if fmt != "text":
                from .report import summary_line
                click.echo(summary_line(result), err=True)
        else:
            click.echo(text, nl=False)
    except GuidelineError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    except click.exceptions.Exit:
        raise
    except Exception as exc:  # never a traceback: a one-line internal error, exit 2
        click.echo(f"guideline check: internal error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(2)
    sys.exit(1 if result.count(fail_on) else 0)


def write_report(output: Path, text: str) -> None:
    """Write the report (creating missing folders); a path that cannot be written is a usage error."""
    from ..atomic import write_atomic

    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(output, text.encode("utf-8", "backslashreplace"))
    except OSError as exc:
        raise GuidelineError(str(output), 0, "usage.output",
                             f"cannot write the report: {exc.strerror or exc}",
                             "give -o a file path in a folder you can write to") from None


def main() -> None:
    check()
