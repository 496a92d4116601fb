"""What changed between two editions, from their needs.json.

Recommendations: added, changed (word-level diff of title and text; grade,
level and status changes), superseded, retired, and removed without a
retirement record; claims and references (bib keys cited by claims and sources)
added and removed; per recommendation its history over a chain of editions
(introduced in, changed in). Text and JSON output.
"""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path
from typing import Any

from ..errors import GuidelineError

Needs = dict[str, dict[str, Any]]
TRACKED_FIELDS = ("grade", "level", "status")
ENDED = ("superseded", "retired")
_ROLE = re.compile(r"\{(?P<role>[\w:\-]+)\}`(?P<body>[^`]*)`")
_TOKEN = re.compile(r"\S+\s*|\s+")


def load(path: Path) -> Needs:
    """The needs of the current version in a needs.json file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data["versions"][data["current_version"]]["needs"]
    except FileNotFoundError:
        raise GuidelineError(str(path), 0, "edition.no-needs", "needs.json not found") from None
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise GuidelineError(str(path), 0, "edition.bad-needs", f"not a sphinx-needs needs.json: {exc}") from None


def text_of(need: dict[str, Any]) -> str:
    """A need's text with MyST roles reduced to their visible words ({cite:p}`k` -> [k])."""

    def role(match: re.Match) -> str:
        body = match["body"]
        if match["role"].startswith(("cite", "footcite")):
            return f"[{body}]"
        return body.split("<")[0].strip() if "<" in body else body

    text = _ROLE.sub(role, need.get("content") or "")
    return re.sub(r"[ \t]*\n[ \t]*", "\n", text).strip()


def word_diff(old: str, new: str) -> list[list[str]]:
    """[[op, text], ...] with op '=', '-' or '+', word by word (whitespace kept)."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    ops: list[list[str]] = []

    def emit(op: str, tokens: list[str]) -> None:
        text = "".join(tokens)
        if not text:
            return
        if ops and ops[-1][0] == op:
            ops[-1][1] += text
        else:
            ops.append([op, text])

    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            emit("=", a[i1:i2])
        else:
            emit("-", a[i1:i2])
            emit("+", b[j1:j2])
    return ops


def _of_type(needs: Needs, kind: str) -> Needs:
    return {k: v for k, v in needs.items() if v.get("type") == kind}


def _cited(needs: Needs) -> set[str]:
    return {n["cite"] for n in needs.values() if n.get("type") in ("claim", "source") and n.get("cite")}


def rec_changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any] | None:
    fields = {name: [old.get(name), new.get(name)] for name in TRACKED_FIELDS if old.get(name) != new.get(name)}
    title = word_diff(old.get("title", ""), new.get("title", "")) if old.get("title") != new.get("title") else None
    old_text, new_text = text_of(old), text_of(new)
    text = word_diff(old_text, new_text) if old_text != new_text else None
    if not (fields or title or text):
        return None
    return {"id": new["id"], "fields": fields, "title_diff": title, "text_diff": text}


def diff(old: Needs, new: Needs, from_id: str | None, to_id: str,
         chain: list[tuple[str, Needs]] | None = None) -> dict[str, Any]:
    """The change record of edition ``to_id`` against ``from_id`` (None: first edition)."""
    old_recs, new_recs = _of_type(old, "rec"), _of_type(new, "rec")
    added = sorted(set(new_recs) - set(old_recs))
    removed = sorted(set(old_recs) - set(new_recs))
    superseded, retired, changed = [], [], []
    for rec_id in sorted(set(old_recs) & set(new_recs)):
        before, after = old_recs[rec_id], new_recs[rec_id]
        status_before, status_after = before.get("status"), after.get("status")
        if status_after in ENDED and status_before != status_after:
            (superseded if status_after == "superseded" else retired).append(rec_id)
        change = rec_changes(before, after)
        if change is None:
            continue
        only_ended = set(change["fields"]) == {"status"} and status_after in ENDED \
            and not change["title_diff"] and not change["text_diff"]
        if not only_ended:
            changed.append(change)
    old_claims, new_claims = _of_type(old, "claim"), _of_type(new, "claim")
    old_refs, new_refs = _cited(old), _cited(new)
    titles = {k: v.get("title", "") for k, v in old.items() if k not in new}
    titles.update({k: new[k].get("title", "") for k in superseded + retired})
    out: dict[str, Any] = {
        "from": from_id,
        "to": to_id,
        "recommendations": {"added": added, "changed": changed, "superseded": superseded,
                            "retired": retired, "removed": removed},
        "claims": {"added": sorted(set(new_claims) - set(old_claims)),
                   "removed": sorted(set(old_claims) - set(new_claims))},
        "references": {"added": sorted(new_refs - old_refs), "removed": sorted(old_refs - new_refs)},
        "titles": dict(sorted(titles.items())),
    }
    out["history"] = history([*(chain or []), (to_id, new)])
    return out


def history(chain: list[tuple[str, Needs]]) -> dict[str, dict[str, Any]]:
    """For each recommendation of the last edition: introduced in, changed in, status."""
    if not chain:
        return {}
    out: dict[str, dict[str, Any]] = {}
    previous: Needs = {}
    for edition_id, needs in chain:
        for rec_id, rec in _of_type(needs, "rec").items():
            entry = out.setdefault(rec_id, {"introduced_in": rec.get("introduced") or edition_id, "changed_in": []})
            before = previous.get(rec_id)
            if before is not None and rec_changes(before, rec) is not None:
                entry["changed_in"].append(edition_id)
            entry["status"] = rec.get("status")
        previous = needs
    last = set(_of_type(chain[-1][1], "rec"))
    return {k: out[k] for k in sorted(out) if k in last}


def _ops_text(ops: list[list[str]]) -> str:
    return "".join(text if op == "=" else f"[-{text}-]" if op == "-" else f"{{+{text}+}}" for op, text in ops)


def to_text(data: dict[str, Any]) -> str:
    recs = data["recommendations"]
    head = f"Edition {data['to']}" + (f" compared with {data['from']}" if data["from"] else " (first edition)")
    lines = [head, "=" * len(head)]

    def block(title: str, ids: list[str]) -> None:
        lines.append(f"{title}: {len(ids)}")
        lines.extend(f"  {i}" + (f"  {data['titles'][i]}" if i in data.get("titles", {}) else "") for i in ids)

    block("Recommendations added", recs["added"])
    lines.append(f"Recommendations changed: {len(recs['changed'])}")
    for change in recs["changed"]:
        notes = "; ".join(f"{k} {a} -> {b}" for k, (a, b) in sorted(change["fields"].items()))
        lines.append(f"  {change['id']}" + (f"  ({notes})" if notes else ""))
        if change["title_diff"]:
            lines.append(f"    title: {_ops_text(change['title_diff'])}")
        if change["text_diff"]:
            lines.append(f"    text: {_ops_text(change['text_diff'])}".replace("\n", "\n          "))
    block("Recommendations superseded", recs["superseded"])
    block("Recommendations retired", recs["retired"])
    if recs["removed"]:
        block("Recommendations removed without a retirement record", recs["removed"])
    block("Claims added", data["claims"]["added"])
    block("Claims removed", data["claims"]["removed"])
    block("References added", data["references"]["added"])
    block("References removed", data["references"]["removed"])
    if data.get("history"):
        lines.append("History:")
        for rec_id, entry in data["history"].items():
            changed = ", ".join(entry["changed_in"]) or "-"
            lines.append(f"  {rec_id}: introduced in {entry['introduced_in']}, changed in {changed}, {entry['status']}")
    return "\n".join(lines) + "\n"
