"""``guideline edition build <id>``: one edition, from its commit, written atomically.

The registry (``docs/editions.toml``) says whether an edition is final; the
seal (``docs/editions.lock.json``, ``seal.py``) says what a final edition is.
Nothing under ``build/`` decides either. Steps:

0. the registry and the seal agree (a sealed edition is still listed, final, at
   its sealed commit); the build takes the edition's lock (a second build of
   the same id is refused before it touches anything, ``locks.py``); an edition
   already built as final must verify against its manifest and seal, or the
   build stops (*tampered*) and leaves it as it is;
1. in a work folder ``build/.editions-tmp/work-<random>/``: export docs/,
   seeds/, references.bib of the edition's commit (never the working tree); a
   sealed edition's content must hash to its sealed source;
2. needs.json of every earlier edition: its built folder once it verifies (a
   tampered one stops the build), else an HTML build of its commit;
3. HTML with the edition stamp (-W), twice: the second, incremental pass
   renders the what's-new page from the diff of the first pass' needs.json;
4. full PDF (reusing the HTML environment) and handout;
5. the validator's report, manifest.json with sha256 of every file;
6. a final edition: the outputs must equal the installed edition's (then it is
   kept, manifest and all) or, when none is installed, the rendering sealed
   for this renderer; the seal is written before the rename; a draft is
   replaced (old folder moved aside first, restored by the next run if a kill
   came between the two renames).

``kill -9`` at any point leaves ``build/editions/`` as it was; the dead build's
work folder is removed by the next build.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import GuidelineError
from ..atomic import write_atomic
from . import diff as diffmod
from . import locks, manifest, registry, reproducible, seal, verify, worktree
from .locks import tmp_root
from .pdf import build_pdfs, edition_overrides

WHATS_NEW_JSON = "_edition/whats-new.json"  # relative to the content's docs/
Hook = Callable[[str], None]


@dataclass
class Result:
    edition: str
    path: Path
    outcome: str  # "built", "replaced", "unchanged"
    manifest: dict[str, Any]
    sealed: bool = False  # docs/editions.lock.json gained this edition or a rendering of it


def editions_dir(root: Path) -> Path:
    return root / "build" / "editions"


def clean_stale(root: Path) -> list[Path]:
    """Remove work folders of builds whose process is gone (see locks.py)."""
    return locks.clean_stale(root)


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


def needs_of_commit(root: Path, edition: registry.Edition, work: Path, quiet: bool = True,
                    log: Callable[[str], None] | None = None, use_cache: bool = True) -> dict:
    """needs.json of an edition: from its built folder (verified first), else an HTML build of its commit.

    A built folder that fails verification stops the caller: what a tampered edition holds is never
    carried into another one. ``use_cache``: the cache of commit builds under .guideline-cache/ is
    unsealed, so an edition build does not read it (``edition diff`` does).
    """
    commit = worktree.resolve_commit(root, edition.commit, edition.id)
    built = editions_dir(root) / edition.id
    if built.is_dir():
        with locks.reading(root, edition.id, log or (lambda _msg: None)):
            data = manifest.read(built, f"build/editions/{edition.id}/{manifest.MANIFEST}")
            if data and data.get("source", {}).get("commit") == commit:
                # The seal is read now, not at the start: another build may have sealed it meanwhile.
                report = verify.check(root, edition, None, built)
                if not report.clean:
                    raise GuidelineError(f"build/editions/{edition.id}", 0, report.rule,
                                         f"edition {edition.id}, whose needs this build reads, fails verification: "
                                         f"{report.summary()}",
                                         f"guideline edition verify {edition.id}; move the folder away and build "
                                         f"edition {edition.id} again")
                return diffmod.load(built / "needs.json")
    cache = root / ".guideline-cache" / "edition-needs" / f"{commit}.json"
    if use_cache and cache.is_file():
        return diffmod.load(cache)
    content = worktree.export(root, commit, work / f"needs-{edition.id}")
    out = work / f"needs-{edition.id}-html"
    _html(content / "docs", out, work / f"needs-{edition.id}-doctrees",
          edition_overrides({"id": edition.id, "date": edition.date, "status": edition.status}), quiet)
    normalise_needs_json(out / "needs.json", edition.date)
    cache.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(cache, (out / "needs.json").read_bytes())
    return diffmod.load(out / "needs.json")


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


def _differing(old_files: dict[str, str], new_files: dict[str, str]) -> list[str]:
    # Identical content is what counts: a newer toolchain that writes the same bytes keeps the
    # edition (and its manifest, which records the toolchain that first built it).
    return sorted(p for p in set(old_files) | set(new_files) if old_files.get(p) != new_files.get(p))


def _refuse_unverified(root: Path, edition: registry.Edition, sealed: dict) -> bool:
    """An installed final edition is kept as it is unless it verifies: a tampered one is never rebuilt over.

    True when what is installed is a draft build of an edition now being finalised (not sealed yet):
    the final build replaces it.
    """
    target = editions_dir(root) / edition.id
    if not edition.final or not (target.exists() or target.is_symlink()):
        return False
    try:
        report = verify.check(root, edition, sealed, target)
    except GuidelineError as exc:
        if exc.rule not in ("edition.no-manifest", "edition.bad-manifest"):
            raise
        why = exc.message
        rule = "edition.tampered"
    else:
        if report.clean:
            return False
        recorded = (manifest.read(target) or {}).get("edition", {})
        if edition.id not in sealed and recorded.get("status") == "draft" and report.tampered_files == 0:
            return True  # the draft this final edition is made from; a sealed edition is never one
        why, rule = report.summary(), report.rule
    raise GuidelineError(f"build/editions/{edition.id}", 0, rule,
                         f"final edition {edition.id} is built but fails verification ({why}); "
                         "it is kept as it is, not rebuilt",
                         f"look at it (guideline edition verify {edition.id}); to rebuild it from its sealed "
                         f"source, move build/editions/{edition.id} away first")


def build_edition(root: Path, edition_id: str, *, quiet: bool = True, hook: Hook | None = None,
                  log: Callable[[str], None] = lambda _msg: None, pdf: bool = True) -> Result:
    """Build edition ``edition_id`` of the repository at ``root`` into build/editions/<id>."""
    editions = registry.load(root)
    edition = registry.get(editions, edition_id)
    sealed = seal.load(root)
    seal.check_registry(sealed, editions)
    commit = worktree.resolve_commit(root, edition.commit, edition.id)
    step = hook or (lambda _name: None)
    with locks.building(root, edition.id):
        locks.clean_stale(root)
        locks.restore_aside(editions_dir(root), edition.id)
        finalising = _refuse_unverified(root, edition, sealed)
        with locks.work_folder(root) as work:
            return _build(root, editions, edition, commit, work, quiet, step, log, pdf, sealed, finalising)


def _build(root: Path, editions: list[registry.Edition], edition: registry.Edition, commit: str,
           work: Path, quiet: bool, step: Hook, log: Callable[[str], None], pdf: bool, sealed: dict,
           finalising: bool = False) -> Result:
    content = worktree.export(root, commit, work / "content")
    source_paths = sorted(p.name for p in content.iterdir())
    source = seal.source_digest(content)
    seal.check_source(sealed, edition, commit, source)
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
        chain.append((previous.id, needs_of_commit(root, previous, work, quiet, log, use_cache=False)))
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

    _check_tree(stage, edition.id)
    data = {
        "edition": edition.as_dict(),
        "source": {"commit": commit, "paths": source_paths, "sha256": source},
        "toolchain": {**worktree.toolchain_state(), "versions": manifest.versions()},
        "renderer": reproducible.renderer(pdf),
        "counts": manifest.counts(needs, manifest.bib_keys(content / "references.bib")),
        "validator": validator,
        "predecessor": pred_id,
    }
    manifest.write(stage, data)
    step("manifest")
    return _install(root, edition, stage, sealed, finalising)


def _check_tree(stage: Path, edition_id: str) -> None:
    """An edition holds regular files only: no symlink (could point anywhere), no empty folder."""
    manifest.prune_empty_folders(stage)
    odd = manifest.oddities(stage)
    if odd["symlinks"] or odd["special"]:
        raise GuidelineError(f"build/editions/{edition_id}", 0, "edition.symlink",
                             f"the build produced {', '.join(odd['symlinks'] + odd['special'])}",
                             "an edition holds regular files only; remove the symlink from the content")


def _install(root: Path, edition: registry.Edition, stage: Path, sealed: dict, finalising: bool = False) -> Result:
    """Rename the stage into build/editions/<id>; ``finalising``: what is there is this edition's draft."""
    target_base = editions_dir(root)
    target_base.mkdir(parents=True, exist_ok=True)
    target = target_base / edition.id
    data = manifest.read(stage) or {}
    new_files = data["files"]
    if edition.final and target.exists() and not finalising:
        # Verified clean and sealed before the build started (_refuse_unverified).
        old = manifest.read(target) or {}
        differing = _differing(old.get("files", {}), new_files)
        if differing:
            shown = ", ".join(differing[:5]) + (" ..." if len(differing) > 5 else "")
            raise GuidelineError(f"build/editions/{edition.id}", 0, "edition.final-differs",
                                 f"edition {edition.id} is final and already built; the new build differs "
                                 f"({len(differing)} file(s): {shown}); it is kept as it was",
                                 "a final edition is immutable: register a new edition id for new content")
        return Result(edition.id, target, "unchanged", data, _seal(root, edition, data))
    changed = False
    if edition.final:
        expected = sealed.get(edition.id, {}).get("renderings", {}).get(data["renderer"]["id"])
        if expected is not None and expected != seal.files_digest(new_files):
            raise GuidelineError(f"build/editions/{edition.id}", 0, "edition.final-differs",
                                 f"edition {edition.id}: this build's outputs differ from those sealed for the same "
                                 f"renderer ({data['renderer']['id']}) in {seal.LOCK}; nothing is installed",
                                 "the same source and renderer must give the same bytes: a non-reproducible "
                                 "build or a changed toolchain file")
        changed = _seal(root, edition, data)  # before the rename: a kill in between leaves a rebuildable state
    elif (target.exists() or target.is_symlink()) and _intact_and_same(target, edition.id, new_files):
        return Result(edition.id, target, "unchanged", data)
    if target.exists() or target.is_symlink():
        aside = target_base / f".{edition.id}.previous"
        locks.remove(aside)
        target.rename(aside)
        stage.rename(target)
        locks.remove(aside)
        return Result(edition.id, target, "replaced", data, changed)
    stage.rename(target)
    return Result(edition.id, target, "built", data, changed)


def _intact_and_same(target: Path, edition_id: str, new_files: dict[str, str]) -> bool:
    """A built draft that verifies and holds exactly the new files is kept (a damaged one is replaced)."""
    if target.is_symlink() or not target.is_dir():
        return False
    try:
        report = verify.verify(target, edition_id)
    except GuidelineError:
        return False
    old = manifest.read(target) or {}
    return report.clean and not _differing(old.get("files", {}), new_files)


def _seal(root: Path, edition: registry.Edition, data: dict[str, Any]) -> bool:
    return seal.record(root, tmp_root(root) / "seal.lock", edition.id, data["source"]["commit"],
                       data["source"]["sha256"], data["renderer"]["id"], seal.files_digest(data["files"]))


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
