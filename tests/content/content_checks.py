"""Checks of the guideline content, run on the needs.json of a build.

Each check takes plain data (the ``needs`` mapping of needs.json, the parsed
references.bib, the repository root) and returns a list of messages, one per
problem, each starting with the ID or file concerned. An empty list means the
check passed. Keeping them pure lets the tests feed them broken data and see
them fail.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path
from typing import Any

import shutil

import pybtex.database

REPO = Path(__file__).resolve().parents[2]
Needs = dict[str, dict[str, Any]]
RELIABLE = ("high", "moderate")


def copy_content(dest: Path, repo: Path = REPO) -> Path:
    """Copy what a build needs (docs/, seeds/, references.bib) so tests never write into docs/."""
    shutil.copytree(repo / "docs", dest / "docs", ignore=shutil.ignore_patterns("_build"))
    shutil.copytree(repo / "seeds", dest / "seeds")
    shutil.copy2(repo / "references.bib", dest / "references.bib")
    return dest


def load_needs(outdir: Path) -> Needs:
    data = json.loads((outdir / "needs.json").read_text(encoding="utf-8"))
    return data["versions"][data["current_version"]]["needs"]


def load_bib(path: Path) -> pybtex.database.BibliographyData:
    return pybtex.database.parse_file(str(path), bib_format="bibtex")


def norm(text: str) -> str:
    """Whitespace and line breaks only: runs of (Unicode) whitespace become one space."""
    return " ".join(text.split())


def of_type(needs: Needs, kind: str) -> list[dict[str, Any]]:
    return [n for n in needs.values() if n["type"] == kind]


def sources_by_cite(needs: Needs) -> dict[str, dict[str, Any]]:
    return {s["cite"]: s for s in of_type(needs, "source")}


def check_recs_have_evidence(needs: Needs) -> list[str]:
    return [f"{r['id']}: no based_on claims" for r in of_type(needs, "rec") if not r.get("based_on")]


def check_claims_have_quote_and_cite(needs: Needs) -> list[str]:
    out = []
    for c in of_type(needs, "claim"):
        if not (c.get("quote") or "").strip():
            out.append(f"{c['id']}: no quote")
        if not (c.get("cite") or "").strip():
            out.append(f"{c['id']}: no cite")
    return out


def check_cite_keys(needs: Needs, bib: pybtex.database.BibliographyData) -> list[str]:
    keys = set(bib.entries.keys())
    return [f"{n['id']}: cite key {n['cite']!r} not in references.bib"
            for n in needs.values() if n["type"] in ("claim", "source") and n.get("cite") and n["cite"] not in keys]


def _title(bib: pybtex.database.BibliographyData, key: str) -> str:
    return bib.entries[key].fields.get("title", "").replace("{", "").replace("}", "")


def check_quotes(needs: Needs, bib: pybtex.database.BibliographyData, repo: Path) -> list[str]:
    """A quote is in one paragraph (line) of its source's seed file, or, for a
    source not on file, in the title recorded in references.bib."""
    out = []
    sources = sources_by_cite(needs)
    for c in of_type(needs, "claim"):
        quote, cite = norm(c.get("quote") or ""), c.get("cite")
        src = sources.get(cite)
        if src is None:
            out.append(f"{c['id']}: no source need cites {cite!r}")
            continue
        if src.get("file"):
            path = repo / src["file"]
            if not path.is_file():
                out.append(f"{c['id']}: seed file {src['file']} missing")
                continue
            lines = path.read_text(encoding="utf-8").splitlines()
            if not any(quote in norm(line) for line in lines):
                out.append(f"{c['id']}: quote not found verbatim in one paragraph of {src['file']}")
        elif cite in bib.entries:
            if quote not in norm(_title(bib, cite)):
                out.append(f"{c['id']}: quote of a source not on file is not in the title of {cite}")
    return out


def asserted(claim: dict[str, Any]) -> str:
    """The panel's assertion (``assertion``; legacy ``verification`` "verified" = the source's statement)."""
    legacy = {"verified": "source statement", "contradicted": "contradicted"}
    return claim.get("assertion") or legacy.get(claim.get("verification") or "", "")


SUPPORTING = ("corroborated", "source statement")


def check_evidence_chain(needs: Needs) -> list[str]:
    """Every rec rests on >= 1 supporting claim (corroborated or the source's statement) from a
    high or moderate source. An
    approved rec rests on no contradicted claim and no unreliable source (claims
    that are not relied on are named in its text, never linked)."""
    out = []
    sources = sources_by_cite(needs)
    for r in of_type(needs, "rec"):
        claims = [needs[i] for i in r.get("based_on", []) if i in needs]
        rel = {c["id"]: sources.get(c.get("cite"), {}).get("reliability") for c in claims}
        if not any(asserted(c) in SUPPORTING and rel[c["id"]] in RELIABLE for c in claims):
            out.append(f"{r['id']}: no supporting claim from a source of at least moderate reliability")
        if r.get("status") == "approved":
            for c in claims:
                if asserted(c) == "contradicted" or rel[c["id"]] == "unreliable":
                    out.append(f"{r['id']}: approved but rests on {c['id']} (contradicted or unreliable source)")
    return out


def check_contradictions(needs: Needs) -> list[str]:
    """A contradicted claim is corrected by a claim that links to it."""
    corrected = {t for c in of_type(needs, "claim") for t in c.get("contradicts", [])}
    return [f"{c['id']}: contradicted but no claim contradicts it" for c in of_type(needs, "claim")
            if asserted(c) == "contradicted" and c["id"] not in corrected]


def check_superseded(needs: Needs) -> list[str]:
    """A superseded rec is named by a successor (a rec or a good practice statement), and back."""
    replaced = {t for r in of_type(needs, "rec") + of_type(needs, "gps") for t in r.get("supersedes", [])}
    out = [f"{r['id']}: status superseded but nothing supersedes it" for r in of_type(needs, "rec")
           if r.get("status") == "superseded" and r["id"] not in replaced]
    out += [f"{t}: superseded by another rec but status is not 'superseded'" for t in replaced
            if t in needs and needs[t].get("status") != "superseded"]
    return out


def check_manifest(repo: Path) -> list[str]:
    seeds = repo / "seeds"
    manifest = tomllib.loads((seeds / "MANIFEST.toml").read_text(encoding="utf-8"))
    out, listed = [], set()
    for entry in manifest.get("seed", []):
        for field in ("file", "original_name", "short_title", "publisher_venue", "date", "sha256"):
            if not entry.get(field):
                out.append(f"MANIFEST {entry.get('file', '?')}: field {field} empty")
        path = repo / entry.get("file", "")
        listed.add(path.name)
        if not path.is_file():
            out.append(f"MANIFEST {entry.get('file')}: file missing")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != entry.get("sha256"):
            out.append(f"MANIFEST {entry.get('file')}: sha256 does not match the file")
    for f in seeds.iterdir():
        if f.name != "MANIFEST.toml" and f.name not in listed:
            out.append(f"seeds/{f.name}: not listed in MANIFEST.toml")
    return out


def check_source_files_in_manifest(needs: Needs, repo: Path) -> list[str]:
    manifest = tomllib.loads((repo / "seeds" / "MANIFEST.toml").read_text(encoding="utf-8"))
    files = {e["file"] for e in manifest.get("seed", [])}
    return [f"{s['id']}: file {s['file']} not in MANIFEST.toml" for s in of_type(needs, "source")
            if s.get("file") and s["file"] not in files]


ALL_NEEDS_CHECKS = (check_recs_have_evidence, check_claims_have_quote_and_cite, check_evidence_chain,
                    check_contradictions, check_superseded)
