"""Run the Sphinx HTML build with warnings as errors and report findings by file and line.

Sphinx prints its own progress (reading/writing percentages). Warnings are
collected into a file and re-printed as ``file:line: [rule] message`` so the
output has the same shape as ``guideline check``.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from sphinx.cmd.build import build_main

from .errors import GuidelineError

# "path:line: WARNING: message [type.subtype]" (line optional), as Sphinx writes it.
_WARNING = re.compile(
    r"^(?:(?P<file>[^\n]*?)(?::(?P<line>\d+))?: )?(?P<level>WARNING|ERROR|CRITICAL): "
    r"(?P<message>.*?)(?: \[(?P<rule>[\w.\-]+)\])?$"
)
# Continuation lines of sphinx-needs' schema reports that add nothing for an author.
_NOISE = ("Severity:", "Need path:", "Schema path:")
# sphinx-needs reports schema violations by need ID, without a location.
_NEED_ID = re.compile(r"^Need '(?P<id>[^']+)'")


@dataclass(frozen=True)
class BuildFinding:
    file: str
    line: int
    rule: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: [{self.rule}] {self.message}"


def parse_warnings(text: str) -> list[BuildFinding]:
    """Turn Sphinx's warning log into findings; continuation lines join the previous one."""
    findings: list[BuildFinding] = []
    for raw in text.splitlines():
        match = _WARNING.match(raw)
        if match:
            findings.append(BuildFinding(
                file=match["file"] or "<build>",
                line=int(match["line"] or 0),
                rule=match["rule"] or match["level"].lower(),
                message=match["message"].strip(),
            ))
        elif findings and raw.strip() and not raw.strip().startswith(_NOISE):
            last = findings[-1]
            detail = raw.strip()
            rule = last.rule
            tail = re.search(r"\[([\w.\-]+)\]$", detail)
            if tail:
                rule = tail[1] if rule in {"error", "warning"} else rule
                detail = detail[:tail.start()].rstrip()
            findings[-1] = BuildFinding(last.file, last.line, rule, f"{last.message} | {detail}")
    return findings


def locate_needs(findings: list[BuildFinding], docs: Path, needs_json: Path) -> list[BuildFinding]:
    """Give findings that name a need but no file the need's source file and line."""
    if not needs_json.is_file():
        return findings
    try:
        data = json.loads(needs_json.read_text(encoding="utf-8"))
        needs = data["versions"][data["current_version"]]["needs"]
    except (ValueError, KeyError):
        return findings
    located = []
    for finding in findings:
        match = _NEED_ID.match(finding.message)
        need = needs.get(match["id"]) if match and finding.file == "<build>" else None
        if need:
            path = docs / need.get("docname", "")
            for suffix in (".md", ".rst"):
                if path.with_suffix(suffix).is_file():
                    path = path.with_suffix(suffix)
                    break
            finding = BuildFinding(str(path), int(need.get("lineno") or 0), finding.rule, finding.message)
        located.append(finding)
    return located


def check_output(out: Path) -> None:
    """The output folder (created with its parents) and the log beside it can be written."""
    for folder in (out, out.parent):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            probe = folder / f".guideline-write-test-{os.getpid()}"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise GuidelineError(str(folder), 0, "build.output",
                                 f"cannot write the build output here: {exc.strerror or exc}",
                                 "choose another folder with -o, or fix the folder's permissions") from None


def bibliography_problems(confdir: Path, bibfiles: list[str],
                          rules: tuple[str, ...] = ("bib.syntax", "bib.encoding")) -> list:
    """Syntax and encoding findings of the .bib files (shown relative to the repository)."""
    from .check.bibfile import parse_bib

    problems = []
    for bib in bibfiles:
        path = Path(os.path.normpath(confdir / bib))
        shown = os.path.relpath(path, confdir.parent) if path.is_relative_to(confdir.parent) else str(path)
        problems += [f for f in parse_bib(path, shown).findings if f.rule in rules]
    return problems


def check_bibliography(docs: Path) -> None:
    """A .bib file that cannot be read or parsed, reported by file and line before Sphinx
    (sphinxcontrib-bibtex would stop with a crash report that names no file)."""
    from sphinx.config import Config
    from sphinx.util.tags import Tags

    try:
        raw = Config.read(docs, overrides={}, tags=Tags())._raw_config
    except Exception:  # a broken conf.py: Sphinx reports it itself
        return
    # bib.limit too: a pathological file is refused here, before Sphinx starts (plain
    # sphinx-build refuses it in sphinxext/bibcache.py with the same check).
    problems = bibliography_problems(docs, list(raw.get("bibtex_bibfiles") or []),
                                     ("bib.syntax", "bib.encoding", "bib.limit"))
    if problems:
        for finding in problems[:-1]:
            print(finding, file=sys.stderr)
        last = problems[-1]
        raise GuidelineError(last.file, last.line, last.rule, last.message, last.hint)


@contextmanager
def _interrupt_noted() -> Iterator[list[int]]:
    """Record a Ctrl-C: Sphinx turns it into an ordinary failure status, the CLI must not."""
    noted: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield noted
        return

    def on_sigint(signum: int, frame: object) -> None:
        noted.append(signum)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield noted
    finally:
        signal.signal(signal.SIGINT, previous)


def located_findings(log: str, docs: Path, out: Path) -> list[BuildFinding]:
    """Sphinx's warning log as findings: located (needs by their source line), paths relative
    to the repository root. ``guideline build`` prints these; ``guideline check`` reports them."""
    root = docs.resolve().parent
    findings = []
    for f in locate_needs(parse_warnings(log), docs, out / "needs.json"):
        path = Path(f.file)
        if path.is_absolute() and path.resolve().is_relative_to(root):
            f = BuildFinding(path.resolve().relative_to(root).as_posix(), f.line, f.rule, f.message)
        findings.append(f)
    return findings


def sphinx_html(docs: Path, out: Path, *, quiet: bool = False, jobs: int = 1,
                extra: list[str] | None = None) -> list[BuildFinding]:
    """Build HTML into ``out`` with -W; returns the findings, raises on failure.

    A Ctrl-C during the build raises KeyboardInterrupt (the CLI says "interrupted", exit 130).
    """
    check_output(out)
    check_bibliography(docs)
    log = out.parent / f"{out.name}-warnings.log"
    args = ["-b", "html", "-W", "--keep-going", "-w", str(log), "-j", str(jobs)]
    if quiet:
        args.append("-q")
    args += [*(extra or []), str(docs), str(out)]
    with _interrupt_noted() as interrupted:
        status = build_main(args)
    if interrupted:
        raise KeyboardInterrupt
    findings = located_findings(log.read_text(encoding="utf-8", errors="replace") if log.exists() else "", docs, out)
    if status != 0:
        for finding in findings:
            print(finding, file=sys.stderr)
        raise GuidelineError(str(docs), 0, "build.failed",
                             f"the HTML build failed with {len(findings)} finding(s)",
                             f"full log: {log}")
    return findings
