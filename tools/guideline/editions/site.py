"""``guideline site``: every built edition in one static site, ``build/site/``.

- ``index.html``: the editions (id, date, status, summary, links to the HTML and
  both PDFs), newest first;
- ``<id>/``: each edition as built (html/, PDFs, needs.json, manifest.json...);
- ``latest/``: the newest final edition;
- every HTML page of any other edition carries a banner linking to the same
  page of the newest final edition (or its start page when the page is gone).

Only editions listed in the registry are published, with the registry's date
and status, and each must pass ``verify.check`` (its manifest and, when final,
its seal) or nothing is published. Files are copied, never hard-linked: a hard
link would make an edit of ``build/site/latest/...`` an edit of the final
edition itself. Assembled in a temporary folder beside the output and renamed
into place; an existing output folder is replaced only when it is a site this
command made (it carries ``.guideline-site``), so ``-o docs`` cannot delete
anything else.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..errors import GuidelineError
from . import locks, manifest, registry, seal, verify

BANNER_MARK = 'class="edition-banner"'
_BODY = re.compile(r"<body[^>]*>", re.IGNORECASE)


SITE_MARK = ".guideline-site"


def built_editions(root: Path, log: Callable[[str], None] | None = None, copy_into: Path | None = None) -> list[dict]:
    """The registered editions that are built, oldest first, each verified (hidden folders ignored).

    Status, date and summary come from the registry, never from a file under build/. ``copy_into``:
    each edition's files are also copied there, under the same read lock as its verification, so
    what is copied is what was verified.
    """
    base = root / "build" / "editions"
    editions = registry.load(root)
    sealed = seal.load(root)
    seal.check_registry(sealed, editions)
    found = []
    for edition in editions:
        folder = base / edition.id
        if not folder.is_dir() or folder.is_symlink():
            continue
        with locks.reading(root, edition.id, log):
            report = verify.check(root, edition, sealed, folder)
            if not report.clean:
                raise GuidelineError(f"build/editions/{edition.id}", 0, report.rule,
                                     f"edition {edition.id} fails verification and is not published: {report.summary()}",
                                     f"guideline edition verify {edition.id}; move the folder away and build it again")
            data = manifest.read(folder) or {}
            if copy_into is not None:
                _copy_tree(folder, copy_into / edition.id, data["files"])
        found.append({**edition.as_dict(), "path": folder, "files": data["files"]})
    return found


def _copy_tree(src: Path, dest: Path, files: dict[str, str]) -> None:
    """Copy exactly the verified files (new inodes: the site never shares a file with an edition)."""
    for rel in [*sorted(files), manifest.MANIFEST]:
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src / rel, target)


def banner(edition: dict, latest: dict, href: str) -> str:
    state = "a draft" if edition["status"] == "draft" else "an earlier edition"
    if tuple(map(int, edition["id"].split("."))) > tuple(map(int, latest["id"].split("."))):
        state = "a newer draft, not yet final"
    return (f'<div {BANNER_MARK} role="note" style="background:#fff1c2;border-bottom:2px solid #c9a227;'
            f'padding:0.6em 1em;font-family:sans-serif;font-size:0.95em">'
            f'You are reading edition {html.escape(edition["id"])} ({html.escape(edition["date"])}), '
            f'{state} of this guideline. The current edition is '
            f'<a href="{html.escape(href)}">edition {html.escape(latest["id"])} ({html.escape(latest["date"])})</a>.'
            f'</div>')


def _add_banners(site: Path, edition: dict, latest: dict) -> int:
    pages = 0
    html_dir = site / edition["id"] / "html"
    latest_html = site / latest["id"] / "html"
    for page in html_dir.rglob("*.html"):
        rel = page.relative_to(html_dir)
        same = latest_html / rel
        dest = same if same.is_file() else latest_html / "index.html"
        href = os.path.relpath(dest, page.parent).replace(os.sep, "/")
        text = page.read_text(encoding="utf-8")
        if BANNER_MARK in text:
            continue
        match = _BODY.search(text)
        if not match:
            continue
        text = text[:match.end()] + banner(edition, latest, href) + text[match.end():]
        page.write_text(text, encoding="utf-8")
        pages += 1
    return pages


def _landing(editions: list[dict], latest: dict | None, summaries: dict[str, str]) -> str:
    rows = []
    for ed in reversed(editions):
        eid = html.escape(ed["id"])
        status = "DRAFT" if ed["status"] == "draft" else html.escape(ed["status"])
        current = " (current)" if latest and ed["id"] == latest["id"] else ""
        summary = html.escape(summaries.get(ed["id"], ed.get("summary", "")))
        links = [f'<a href="{eid}/html/index.html">HTML</a>']
        for kind, label in (("full", "PDF"), ("handout", "Handout PDF")):
            name = f"{ed['id']}-{kind}.pdf"
            if name in ed["files"]:
                links.append(f'<a href="{eid}/{html.escape(name)}">{label}</a>')
        if "guideline.fhir.json" in ed["files"]:  # the computable guideline (docs: toolchain/computable)
            links.append(f'<a href="{eid}/guideline.fhir.json">FHIR bundle</a>')
        rows.append(f"<tr><td><strong>{eid}</strong>{current}</td><td>{html.escape(ed['date'])}</td>"
                    f"<td>{status}</td><td>{summary}</td><td>{' &middot; '.join(links)}</td></tr>")
    latest_line = (f'<p>Current edition: <a href="latest/html/index.html">{html.escape(latest["id"])}</a> '
                   f'(<a href="latest/">latest/</a>).</p>' if latest else "<p>No final edition yet.</p>")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Editions of the guideline</title>
<style>body{{font-family:sans-serif;max-width:70em;margin:2em auto;padding:0 1em;color:#1a1a1a}}
table{{border-collapse:collapse;width:100%}}td,th{{border-bottom:1px solid #ccc;padding:.5em;text-align:left;vertical-align:top}}
th{{background:#eef3f8}}.note{{background:#fbeff1;border-left:4px solid #b00020;padding:.5em 1em}}</style></head>
<body><h1>Editions of the guideline</h1>
<p class="note">Demonstration living guideline: not an official IMWG publication and not medical advice.</p>
{latest_line}
<table><thead><tr><th>Edition</th><th>Date</th><th>Status</th><th>What triggered it</th><th>Read</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table></body></html>
"""


def _check_out(out: Path) -> None:
    """An existing output folder must be an earlier site (missing folders are made, as by ``build -o``)."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise GuidelineError(str(out), 0, "usage.not-a-site", f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / SITE_MARK).is_file():
        raise GuidelineError(str(out), 0, "usage.not-a-site",
                             f"{out} is not empty and is not a site made by `guideline site`; it is left alone",
                             "give -o a new or empty folder (the site replaces the whole folder)")


def assemble(root: Path, out: Path | None = None, log: Callable[[str], None] | None = None) -> dict:
    """Build the site into ``out`` (default build/site); returns what it holds."""
    out = out or root / "build" / "site"
    _check_out(out)
    from ..build import check_output

    check_output(out)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        editions = built_editions(root, log, copy_into=work)
        if not editions:
            raise GuidelineError("build/editions", 0, "site.no-editions", "no built edition to publish",
                                 "guideline edition build <id> first")
        finals = [e for e in editions if e["status"] == "final"]
        latest = finals[-1] if finals else None
        bannered = 0
        if latest:
            for ed in editions:
                if ed["id"] != latest["id"]:
                    bannered += _add_banners(work, ed, latest)
            shutil.copytree(work / latest["id"], work / "latest")
        (work / "index.html").write_text(_landing(editions, latest, {}), encoding="utf-8")
        (work / SITE_MARK).write_text("made by guideline site; replaced whole by the next run\n", encoding="utf-8")
        aside = out.parent / f".{out.name}.previous"
        shutil.rmtree(aside, ignore_errors=True)
        if out.exists():
            out.rename(aside)
        work.rename(out)
        shutil.rmtree(aside, ignore_errors=True)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return {"path": out, "editions": [e["id"] for e in editions], "latest": latest["id"] if latest else None,
            "bannered_pages": bannered}
