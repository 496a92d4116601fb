"""``guideline edition build <id>``: one edition, from its commit, written atomically.

Steps, all inside ``build/.editions-tmp/<id>.<pid>.<random>/`` (same filesystem
as ``build/editions/``):

1. export docs/, seeds/, references.bib of the edition's commit (never the
   working tree);
2. needs.json of every earlier edition (its built edition, or a cached
   HTML build of its commit) for the what's-new page and the history;
3. HTML with the edition stamp (-W), twice: the second, incremental pass
   renders the what's-new page from the diff of the first pass' needs.json;
4. full PDF (reusing the HTML environment) and handout;
5. the validator's report, manifest.json with sha256 of every file;
6. rename into ``build/editions/<id>``. A final edition already there is kept
   when the new build is identical and never replaced when it differs; a draft
   is replaced (old folder moved aside first, restored by the next run if a
   kill came between the two renames).

``kill -9`` at any point leaves ``build/editions/`` as it was; the stale
temporary folder is removed by the next build.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import GuidelineError
from . import diff as diffmod
from . import manifest, registry, worktree
from .pdf import build_pdfs, edition_overrides

WHATS_NEW_JSON = "_edition/whats-new.json"  # relative to the content's docs/
Hook = Callable[[str], None]


@dataclass
class Result:
    edition: str
    path: Path
    outcome: str  # "built", "replaced", "unchanged"
    manifest: dict[str, Any]


def editions_dir(root: Path) -> Path:
    return root / "build" / "editions"


def tmp_root(root: Path) -> Path:
    return root / "build" / ".editions-tmp"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale(root: Path) -> list[Path]:
    """Remove temporary folders of builds whose process is gone; restore a moved-aside edition."""
    removed = []
    base = tmp_root(root)
    if base.is_dir():
        for entry in base.iterdir():
            parts = entry.name.split(".")
            pid = next((int(p) for p in parts if p.isdigit() and len(p) > 2), None) if entry.is_dir() else None
            if entry.is_dir() and pid is not None and not _pid_alive(pid):
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
    target = editions_dir(root)
    if target.is_dir():
        for aside in target.glob(".*.previous"):
            edition = aside.name[1:-len(".previous")]
            if not (target / edition).exists():
                aside.rename(target / edition)
            else:
                shutil.rmtree(aside, ignore_errors=True)
    return removed


@contextlib.contextmanager
def _lock(root: Path, edition_id: str) -> Iterator[None]:
    import fcntl

    base = tmp_root(root)
    base.mkdir(parents=True, exist_ok=True)
    with (base / f"{edition_id}.lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise GuidelineError(f"build/editions/{edition_id}", 0, "edition.busy",
                                 f"another build of edition {edition_id} is running") from None
        yield


def normalise_needs_json(path: Path, date: str) -> None:
    """needs.json stamps the build time; use the edition date so rebuilds are identical."""
    data = json.loads(path.read_text(encoding="utf-8"))
    stamp = f"{date}T00:00:00" if date else "1970-01-01T00:00:00"
    data["created"] = stamp
    for version in data.get("versions", {}).values():
        version["created"] = stamp
    path.write_text(json.dumps(data, indent=4, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def normalise_schema_report(path: Path) -> None:
    """sphinx-needs' schema_violations.json records how long validation took; drop the timing."""
    if not path.is_file():
        return
    data = json.loads(path.read_text(encoding="utf-8"))
    data.pop("validated_needs_per_second", None)
    if isinstance(data.get("validation_summary"), str):
        data["validation_summary"] = re.sub(r" in [\d.]+ seconds\..*$", ".", data["validation_summary"])
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _html(docs: Path, out: Path, doctrees: Path, overrides: dict[str, Any], quiet: bool) -> None:
    from ..build import sphinx_html

    extra = ["-d", str(doctrees)]
    for key, value in overrides.items():
        extra += ["-D", f"{key}={value}"]
    try:
        sphinx_html(docs, out, quiet=quiet, extra=extra)
    finally:
        # sphinx_html keeps its warning log beside the output; it is no part of an edition.
        (out.parent / f"{out.name}-warnings.log").unlink(missing_ok=True)


def needs_of_commit(root: Path, edition: registry.Edition, work: Path, quiet: bool = True) -> dict:
    """needs.json of an edition: from its built folder, else a cached HTML build of its commit."""
    commit = worktree.resolve_commit(root, edition.commit, edition.id)
    built = editions_dir(root) / edition.id
    data = manifest.read(built)
    if data and data.get("source", {}).get("commit") == commit and (built / "needs.json").is_file():
        return diffmod.load(built / "needs.json")
    cache = root / ".guideline-cache" / "edition-needs" / f"{commit}.json"
    if cache.is_file():
        return diffmod.load(cache)
    content = worktree.export(root, commit, work / f"needs-{edition.id}")
    out = work / f"needs-{edition.id}-html"
    _html(content / "docs", out, work / f"needs-{edition.id}-doctrees",
          edition_overrides({"id": edition.id, "date": edition.date, "status": edition.status}), quiet)
    normalise_needs_json(out / "needs.json", edition.date)
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(f".{os.getpid()}.tmp")
    shutil.copyfile(out / "needs.json", tmp)
    tmp.replace(cache)
    return diffmod.load(cache)


def run_validator(content: Path, out: Path, date: str) -> dict[str, Any]:
    """``guideline check --format json`` in the content tree; its report, or why there is none."""
    cmd = [sys.executable, "-m", "guideline.cli", "check", "--root", str(content), "--format", "json",
           "--no-cache", "-o", str(out)]
    if date:
        cmd += ["--edition-date", date]
    env = {**os.environ, "GUIDELINE_ROOT": str(content)}
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=content, env=env, check=False)
    if "No such command" in done.stderr:
        out.write_text(json.dumps({"available": False, "message": "validator not available"}, indent=2) + "\n",
                       encoding="utf-8")
        return {"available": False, "exit_status": None}
    if not out.is_file():
        out.write_text(json.dumps({"available": True, "exit_status": done.returncode,
                                   "error": done.stderr.strip()}, indent=2) + "\n", encoding="utf-8")
    return {"available": True, "exit_status": done.returncode, "summary": done.stderr.strip()}


def _identical(a: Path, b: Path) -> tuple[bool, list[str]]:
    old = manifest.read(a) or {}
    new = manifest.read(b) or {}
    differing = sorted(p for p in set(old.get("files", {})) | set(new.get("files", {}))
                       if old.get("files", {}).get(p) != new.get("files", {}).get(p))
    # Identical content is what counts: a newer toolchain that writes the same bytes keeps the
    # edition (and its manifest, which records the toolchain that first built it).
    return (not differing, differing)


def build_edition(root: Path, edition_id: str, *, quiet: bool = True, hook: Hook | None = None,
                  log: Callable[[str], None] = lambda _msg: None, pdf: bool = True) -> Result:
    """Build edition ``edition_id`` of the repository at ``root`` into build/editions/<id>."""
    editions = registry.load(root)
    edition = registry.get(editions, edition_id)
    commit = worktree.resolve_commit(root, edition.commit, edition.id)
    step = hook or (lambda _name: None)
    clean_stale(root)
    with _lock(root, edition.id):
        base = tmp_root(root)
        work = Path(tempfile.mkdtemp(prefix=f"{edition.id}.{os.getpid()}.", dir=base))
        try:
            return _build(root, editions, edition, commit, work, quiet, step, log, pdf)
        finally:
            shutil.rmtree(work, ignore_errors=True)


def _build(root: Path, editions: list[registry.Edition], edition: registry.Edition, commit: str,
           work: Path, quiet: bool, step: Hook, log: Callable[[str], None], pdf: bool = True) -> Result:
    content = worktree.export(root, commit, work / "content")
    source_paths = sorted(p.name for p in content.iterdir())
    step("exported")
    docs = content / "docs"
    stage = work / edition.id
    stage.mkdir()
    doctrees = work / "doctrees"
    from ..grading import load_settings

    base_url = load_settings(docs).html_base_url
    info = {"id": edition.id, "date": edition.date, "status": edition.status,
            "url": f"{base_url.rstrip('/')}/en/{edition.id}/" if base_url else "",
            "whats_new": WHATS_NEW_JSON}
    overrides = edition_overrides(info)
    _ensure_whats_new_page(docs)

    earlier = [e for e in editions if e.key < edition.key]
    chain = []
    for previous in earlier:
        log(f"needs of edition {previous.id} (for what's new)")
        chain.append((previous.id, needs_of_commit(root, previous, work, quiet)))
    step("predecessors")

    log("HTML")
    html = stage / "html"
    _html(docs, html, doctrees, overrides, quiet)
    step("html")
    needs = diffmod.load(html / "needs.json")
    pred_id, pred_needs = chain[-1] if chain else (None, {})
    change = diffmod.diff(pred_needs, needs, pred_id, edition.id, chain)
    (docs / WHATS_NEW_JSON).parent.mkdir(parents=True, exist_ok=True)
    (docs / WHATS_NEW_JSON).write_text(json.dumps(change, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    _html(docs, html, doctrees, overrides, quiet)  # incremental: the what's-new page only
    for leftover in (".buildinfo", ".buildinfo.bak"):
        (html / leftover).unlink(missing_ok=True)
    normalise_needs_json(html / "needs.json", edition.date)
    normalise_schema_report(html / "schema_violations.json")
    shutil.copyfile(html / "needs.json", stage / "needs.json")
    (stage / "whats-new.json").write_text((docs / WHATS_NEW_JSON).read_text(encoding="utf-8"), encoding="utf-8")
    from ..fhir.edition import write_edition_bundle

    write_edition_bundle(stage, content, edition)  # guideline.fhir.json beside needs.json
    step("html-done")

    if pdf:  # tests of the mechanics skip the PDFs (seconds each)
        log("PDF (full and handout)")
        build_pdfs(content, stage, edition.id, edition=info, doctrees=doctrees, quiet=quiet)
    step("pdf")

    log("validator")
    validator = run_validator(content, stage / "validator-report.json", edition.date)
    step("validator")

    data = {
        "edition": edition.as_dict(),
        "source": {"commit": commit, "paths": source_paths},
        "toolchain": {**worktree.toolchain_state(), "versions": manifest.versions()},
        "counts": manifest.counts(needs, manifest.bib_keys(content / "references.bib")),
        "validator": validator,
        "predecessor": pred_id,
    }
    manifest.write(stage, data)
    step("manifest")
    return _install(root, edition, stage, work)


def _install(root: Path, edition: registry.Edition, stage: Path, work: Path) -> Result:
    target_base = editions_dir(root)
    target_base.mkdir(parents=True, exist_ok=True)
    target = target_base / edition.id
    data = manifest.read(stage) or {}
    if target.exists():
        same, differing = _identical(target, stage)
        if same:
            return Result(edition.id, target, "unchanged", data)
        existing = manifest.read(target) or {}
        if existing.get("edition", {}).get("status") == "final":
            shown = ", ".join(differing[:5]) + (" ..." if len(differing) > 5 else "")
            raise GuidelineError(f"build/editions/{edition.id}", 0, "edition.final-differs",
                                 f"edition {edition.id} is final and already built; the new build differs "
                                 f"({len(differing)} file(s): {shown}); it is kept as it was",
                                 "a final edition is immutable: register a new edition id for new content")
        aside = target_base / f".{edition.id}.previous"
        shutil.rmtree(aside, ignore_errors=True)
        target.rename(aside)
        stage.rename(target)
        shutil.rmtree(aside, ignore_errors=True)
        return Result(edition.id, target, "replaced", data)
    stage.rename(target)
    return Result(edition.id, target, "built", data)


def _ensure_whats_new_page(docs: Path) -> None:
    """Give the content a generated change list: append ``{whats-new}`` to whats-new.md or add the page."""
    page = docs / "whats-new.md"
    block = "\n\n## Changes in this edition (generated)\n\n```{whats-new}\n```\n"
    if page.is_file():
        text = page.read_text(encoding="utf-8")
        if "{whats-new}" not in text:
            page.write_text(text.rstrip("\n") + block, encoding="utf-8")
    elif not (docs / "whats-new.rst").exists():
        page.write_text("---\norphan: true\n---\n\n# What's new\n" + block, encoding="utf-8")
