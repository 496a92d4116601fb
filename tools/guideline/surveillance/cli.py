"""``guideline watch``: run the saved searches, triage what they found, show the status.

Exit status: 0 done, 1 a registry failed (what the others found is recorded),
2 bad input or usage. Problems are printed as ``file:line: [rule] message``.
"""

from __future__ import annotations

import datetime as dt
import sys

import click

from ..errors import GuidelineError
from ..project import find_project


def _today(value: str | None) -> dt.date:
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise GuidelineError("<command line>", 0, "usage.date", f"--today {value!r} is not YYYY-MM-DD") from None


def _loaded():
    from . import impact

    project = find_project()
    loaded = impact.load(project.docs, project.root)
    if loaded is None:
        raise GuidelineError("docs/surveillance.toml", 0, "surv.config", "no saved searches",
                             "write docs/surveillance.toml (see the Living process page)")
    return project, *loaded


@click.group("watch", invoke_without_command=True)
@click.option("--search", "only", multiple=True, metavar="ID",
              help="Run only this saved search (repeatable; 'cited' is the cited identifiers).")
@click.option("--all", "run_all", is_flag=True, help="Run every search, also those not yet due.")
@click.option("--today", default=None, hidden=True, metavar="YYYY-MM-DD")
@click.option("--crossref-url", envvar="GUIDELINE_CROSSREF_URL", default=None, hidden=True)
@click.option("--pubmed-url", envvar="GUIDELINE_PUBMED_URL", default=None, hidden=True)
@click.option("--ctgov-url", envvar="GUIDELINE_CTGOV_URL", default=None, hidden=True)
@click.pass_context
def watch(ctx: click.Context, only: tuple[str, ...], run_all: bool, today: str | None, crossref_url: str | None,
          pubmed_url: str | None, ctgov_url: str | None) -> None:
    """Run the due saved searches and record new hits in the surveillance log.

    \b
    The searches are docs/surveillance.toml: per topic a PubMed query and a
    ClinicalTrials.gov query with an interval, plus every DOI, PMID and NCT
    number in references.bib (retractions, expressions of concern, corrections,
    status changes, posted results). New hits are appended to the tracked log
    (docs/surveillance-log.jsonl) with state `new`; hits already in the log are
    not reported again.

    \b
    guideline watch                      run what is due
    guideline watch status               last run, next due, hits awaiting triage
    guideline watch triage ID STATE --reason ... --by ...
    """
    if ctx.invoked_subcommand:
        return
    from ..check.online import Client, OnlineConfig
    from ..grading import load_settings
    from . import cited as citedmod, log as logmod
    from .watch import Watcher, is_due

    project, config, log = _loaded()
    day = _today(today)
    unknown = sorted(set(only) - set(config.ids()))
    if unknown:
        raise GuidelineError("<command line>", 0, "usage.search",
                             f"no saved search {', '.join(unknown)}", f"searches: {', '.join(config.ids())}")
    chosen = [s for s in config.ids() if (not only or s in only) and (run_all or only or is_due(log, config, s, day))]
    if not chosen:
        click.echo("guideline watch: no search is due (use --all to run them anyway)")
        return
    online = OnlineConfig(contact=load_settings(project.docs).contact)
    online.crossref_url = (crossref_url or online.crossref_url).rstrip("/")
    online.pubmed_url = (pubmed_url or online.pubmed_url).rstrip("/")
    online.ctgov_url = (ctgov_url or online.ctgov_url).rstrip("/")
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    watcher = Watcher(config, log, Client(online), citedmod.from_bibs([project.bibfile], project.root), day, now,
                      progress=lambda line: click.echo(line, err=True))
    outcome = watcher.run(chosen)
    logmod.append(config.log, outcome.events)
    failed = len(outcome.failures)
    click.echo(f"guideline watch: {len(chosen)} search(es) run on {day.isoformat()}, {failed} failed; "
               f"{len(outcome.hits)} new hit(s) recorded in {config.log_display}")
    for hit in outcome.hits:
        click.echo(f"  {hit['id']}  [{hit['kind']}, {hit['search']}]  {hit['title']}")
    if outcome.hits:
        click.echo("Triage each: guideline watch triage <id> relevant|not-relevant|included --reason ... --by ...")
    for failure in outcome.failures:
        click.echo(f"{config.file}:{config.line_of(failure.split(':')[0])}: [online.unavailable] {failure}", err=True)
    if failed:
        sys.exit(1)


@watch.command("triage")
@click.argument("hit")
@click.argument("state", type=click.Choice(["relevant", "not-relevant", "not relevant", "included"]))
@click.option("--reason", required=True, help="Why (recorded in the log and shown on the Surveillance page).")
@click.option("--by", "by", required=True, help="Who decided (a name or the panel).")
@click.option("--today", default=None, hidden=True, metavar="YYYY-MM-DD")
def triage_command(hit: str, state: str, reason: str, by: str, today: str | None) -> None:
    """Record the panel's decision on HIT (its id, or a unique beginning of it)."""
    from .triage import triage

    _, config, _ = _loaded()
    decided = triage(config.log, config.log_display, hit, state, reason, by, _today(today))
    click.echo(f"{decided.id}: {decided.state} ({decided.reason}; {decided.by}, {decided.decided}) "
               f"recorded in {config.log_display}")


@watch.command("status")
@click.option("--today", default=None, hidden=True, metavar="YYYY-MM-DD")
def status_command(today: str | None) -> None:
    """Each search's last successful run and next due date; the hits awaiting triage."""
    from .watch import schedule

    _, config, log = _loaded()
    day = _today(today)
    if not log.runs:
        click.echo(f"No surveillance run has been recorded yet ({config.log_display}).")
    for search_id in config.ids():
        last, due = schedule(log, config, search_id, day)
        click.echo(f"{search_id:<16} every {config.interval(search_id):>3} days  last {last:<10}  next due {due}")
    pending = log.open_hits()
    click.echo(f"{len(pending)} hit(s) await triage" + (":" if pending else "."))
    for hit in pending:
        click.echo(f"  {hit.id}  [{hit.kind}, {hit.search}, found {hit.found}]  {hit.title}")
