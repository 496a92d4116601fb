"""Reports: human text grouped by file and rule, JSON, SARIF 2.1.0 and JUnit XML."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from typing import Any
from xml.etree import ElementTree as ET

from .. import __version__
from .engine import Result
from .findings import SEVERITIES
from .rules import RULES

FORMATS = ("text", "json", "sarif", "junit")
# Characters XML 1.0 forbids (and C1 controls, which terminals obey): a finding quotes user
# input (a cite key, a title), which may hold any of them.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def printable(text: str) -> str:
    """``text`` with control characters (and lone surrogates) shown as ``\\xNN`` escapes."""
    return _UNPRINTABLE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                            else f"\\u{ord(m.group()):04x}", text)


def _assertions(summary: dict) -> str:
    """The panel's assertions, when any claim carries one (the legacy counts above stay)."""
    counts = summary.get("assertions") or {}
    if not any(counts.values()):
        return ""
    return ("asserted " + " / ".join(f"{n} {name}" for name, n in counts.items())
            + f", {summary.get('good_practice_statements', 0)} good practice statements, ")


def summary_line(result: Result) -> str:
    s = result.summary
    f = s["findings"]
    claims = s["claims"]
    refs = s["references"]
    return (f"guideline check: {f['error']} error(s), {f['warning']} warning(s), {f['info']} info; "
            f"{s['bib_entries']} references ({refs['verified']} verified, {refs['unverified']} unverified, "
            f"{refs['retracted']} retracted), {s['needs']} needs, "
            + (_assertions(s) if _assertions(s) and not any(claims.values()) else
               f"claims {claims.get('verified', 0)} verified / {claims.get('unverified', 0)} unverified / "
               f"{claims.get('contradicted', 0)} contradicted, " + _assertions(s))
            + f"quotes {s['quotes_found']}/{s['quotes_checked']} found"
            + (" [cached]" if s.get("cached") else ""))


def render_text(result: Result, min_severity: str = "info") -> str:
    rank = SEVERITIES.index(min_severity)
    # One heading per rule and severity: a rule can report an error and an info in the same file
    # (a retraction behind an approved and behind a superseded recommendation).
    grouped: dict[str, dict[tuple[str, str], list]] = defaultdict(lambda: defaultdict(list))
    for f in result.findings:
        if SEVERITIES.index(f.severity) >= rank:
            grouped[f.file][(f.rule, f.severity)].append(f)
    lines: list[str] = []
    for file in sorted(grouped):
        lines.append(file)
        for rule, severity in sorted(grouped[file], key=lambda k: (k[0], -SEVERITIES.index(k[1]))):
            items = grouped[file][(rule, severity)]
            lines.append(f"  [{rule}] {severity}: {RULES[rule].summary if rule in RULES else 'reported by the Sphinx build'}")
            for f in items:
                lines.append(f"    {f.location()}: [{f.rule}] {f.message}")
            if items[0].hint:
                lines.append(f"    hint: {items[0].hint}")
    lines.append(summary_line(result))
    return "\n".join(printable(line) for line in lines) + "\n"


def render_json(result: Result) -> str:
    return json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n"


_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def render_sarif(result: Result) -> str:
    rules = [{"id": r.id, "shortDescription": {"text": r.summary}, "help": {"text": r.hint},
              "defaultConfiguration": {"level": _SARIF_LEVEL[r.severity]}} for r in RULES.values()]
    index = {r.id: i for i, r in enumerate(RULES.values())}
    results: list[dict[str, Any]] = []
    for f in result.findings:
        location: dict[str, Any] = {"artifactLocation": {"uri": f.file}}
        if f.line:
            location["region"] = {"startLine": f.line}
        results.append({"ruleId": f.rule, "ruleIndex": index.get(f.rule, -1), "level": _SARIF_LEVEL[f.severity],
                        "message": {"text": f.message + (f"\nhint: {f.hint}" if f.hint else "")},
                        "locations": [{"physicalLocation": location}]})
    doc = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
           "runs": [{"tool": {"driver": {"name": "guideline-check", "version": __version__,
                                         "informationUri": "https://github.com/", "rules": rules}},
                     "results": results,
                     "properties": {"summary": result.summary}}]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render_junit(result: Result, fail_on: str = "error") -> str:
    rank = SEVERITIES.index(fail_on)
    by_rule: dict[str, list] = defaultdict(list)
    for f in result.findings:
        by_rule[f.rule].append(f)
    suites = ET.Element("testsuites", name="guideline check")
    total = failures = 0
    # Every validator rule, then the rules of findings from the Sphinx read (e.g. schema violations).
    names = list(RULES) + sorted(set(by_rule) - set(RULES))
    for rule_id in names:
        items = by_rule.get(rule_id, [])
        failed = [f for f in items if SEVERITIES.index(f.severity) >= rank]
        suite = ET.SubElement(suites, "testsuite", name=printable(rule_id), tests=str(max(1, len(items))),
                              failures=str(len(failed)), errors="0", skipped="0")
        if not items:
            ET.SubElement(suite, "testcase", classname=rule_id, name=RULES[rule_id].summary)
        for f in items:
            case = ET.SubElement(suite, "testcase", classname=printable(rule_id), name=printable(f.location()),
                                 file=printable(f.file), line=str(f.line))
            if SEVERITIES.index(f.severity) >= rank:
                node = ET.SubElement(case, "failure", message=printable(f.message), type=f.severity)
                node.text = printable(f"{f}\nhint: {f.hint}" if f.hint else str(f))
            else:
                ET.SubElement(case, "system-out").text = printable(str(f))
        total += max(1, len(items))
        failures += len(failed)
    suites.set("tests", str(total))
    suites.set("failures", str(failures))
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def render(result: Result, fmt: str, fail_on: str = "error", min_severity: str = "info") -> str:
    if fmt == "json":
        return render_json(result)
    if fmt == "sarif":
        return render_sarif(result)
    if fmt == "junit":
        return render_junit(result, fail_on)
    return render_text(result, min_severity)
