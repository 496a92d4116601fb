#!/usr/bin/env python3
"""Benchmark of the offline ``guideline check`` against a bare pybtex parse.

Generates (deterministic seed) 10,000 .bib entries and 10,000 needs in a temp
dir, then measures in fresh processes, the same run:

- ``pybtex``: ``pybtex.database.parse_file`` of the same .bib (the floor);
- ``check``: the whole offline check (parse, identifiers, citations, quotes,
  evidence chain, lock), cache cold;
- ``cached``: the same check on unchanged inputs, served from the content-hash cache.

Prints a table and JSON with wall times, peak RSS and the ratios to pybtex.
Targets: check <= 1.5x pybtex, cached <= 0.25x pybtex.

    python benchmarks/bench_check.py [--entries 10000] [--needs 10000] [--repeat 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve()
ROOT = HERE.parents[1]

TOML = """[guideline]
title = "Benchmark guideline"
review_interval_days = 365
contact = "bench@example.org"

[grading]
name = "Bench"

[grading.levels]
I = "Trials."
II = "Other."

[grading.grades]
A = "Strong."
B = "Weak."
"""
SURNAMES = ["Moreau", "Usmani", "M{\\\"u}ller", "Garc{\\'i}a", "van de Donk", "Lee", "Chari", "Mateos", "Cohen"]
WORDS = ("teclistamab elranatamab talquetamab bispecific antibody myeloma refractory relapsed response "
         "survival infection prophylaxis cytokine release syndrome neurotoxicity dose step-up trial").split()
JOURNALS = [("N Engl J Med", "0028-4793", lambda y: 394 + 2 * (y - 2026)), ("Lancet Oncol", "1470-2045", lambda y: y - 1999),
            ("J Clin Oncol", "0732-183X", lambda y: y - 1982), ("Blood Cancer J", "2044-5385", lambda y: y - 2010)]


def generate(root: Path, n_entries: int, n_needs: int, seed: int = 20260301) -> None:
    rnd = random.Random(seed)
    (root / "docs").mkdir(parents=True)
    (root / "seeds").mkdir()
    (root / "docs" / "guideline.toml").write_text(TOML, encoding="utf-8")
    bib = []
    for i in range(n_entries):
        year = rnd.randint(2015, 2025)
        journal, issn, volume = rnd.choice(JOURNALS)
        start = rnd.randint(1, 2000)
        authors = " and ".join(f"{rnd.choice(SURNAMES)}, {chr(65 + rnd.randint(0, 25))}." for _ in range(rnd.randint(1, 8)))
        title = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(6, 14))).capitalize()
        bib.append(f"@article{{ref{i:05d},\n  author = {{{authors}}},\n  title = {{{title} ({i})}},\n"
                   f"  journal = {{{journal}}},\n  year = {{{year}}},\n  volume = {{{volume(year)}}},\n"
                   f"  number = {{{rnd.randint(1, 24)}}},\n  pages = {{{start}--{start + rnd.randint(1, 15)}}},\n"
                   f"  doi = {{10.{rnd.randint(1000, 9999)}/bench.{i}}},\n  issn = {{{issn}}},\n}}\n\n")
    (root / "references.bib").write_text("".join(bib), encoding="utf-8")

    n_sources = n_needs // 5
    n_claims = n_needs // 2
    n_recs = n_needs - n_sources - n_claims
    pages: list[list[str]] = [[] for _ in range(max(1, n_needs // 100))]
    sentences = {}
    for s in range(n_sources):
        text = " ".join(rnd.choice(WORDS) for _ in range(120)) + f" marker {s} with 63.0\u00a0% response."
        (root / "seeds" / f"src{s:05d}.txt").write_text(text, encoding="utf-8")
        sentences[s] = text
        pages[s % len(pages)].append(
            f"```{{source}} Source {s}\n:id: SRC_S{s}\n:cite: ref{s:05d}\n:kind: primary trial report\n"
            f":reliability: {rnd.choice(['high', 'moderate'])}\n:file: seeds/src{s:05d}.txt\n```\n")
    for c in range(n_claims):
        s = c % n_sources
        words = sentences[s].split()
        at = rnd.randint(0, len(words) - 8)
        quote = " ".join(words[at:at + 8])
        pages[c % len(pages)].append(
            f"```{{claim}} Claim {c}\n:id: CLM_C{c}_01\n:cite: ref{s:05d}\n:quote: {quote}\n:verification: verified\n\n"
            f"The finding {{cite:p}}`ref{s:05d}`.\n```\n")
    for r in range(n_recs):
        claims = ", ".join(f"CLM_C{rnd.randrange(n_claims)}_01" for _ in range(rnd.randint(1, 3)))
        pages[r % len(pages)].append(
            f"```{{rec}} Recommendation {r}\n:id: REC_R{r}_01\n:status: approved\n:based_on: {claims}\n:grade: A\n"
            f":level: I\n:introduced: 2026.1\n:last_reviewed: 2026-01-{rnd.randint(10, 28)}\n\n"
            f"Do this {{cite:p}}`ref{rnd.randrange(n_sources):05d}`.\n```\n")
    # every other entry is cited from prose, as a guideline's background text would
    for i in range(n_sources, n_entries):
        pages[i % len(pages)].append(f"Background statement {i} {{cite:p}}`ref{i:05d}`.\n")
    for p, items in enumerate(pages):
        (root / "docs" / f"page{p:03d}.md").write_text(f"# Page {p}\n\n" + "\n".join(items), encoding="utf-8")


MEASURE = r"""
import json, resource, sys, time
from pathlib import Path
mode, root = sys.argv[1], Path(sys.argv[2])
sys.path.insert(0, sys.argv[3])
import pybtex.database
from guideline.check.engine import Options, run_check
import datetime as dt
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started, cpu = time.perf_counter(), time.process_time()
if mode == "pybtex":
    data = pybtex.database.parse_file(str(root / "references.bib"))
    extra = {"entries": len(data.entries)}
else:
    result = run_check(Options(root=root, edition=dt.date(2026, 3, 1), use_cache=True))
    extra = {"cached": result.summary["cached"], "findings": result.summary["findings"],
             "needs": result.summary["needs"], "quotes_found": result.summary["quotes_found"]}
seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "peak_rss_mb": peak / 1024, "added_rss_mb": (peak - base) / 1024, **extra}))
"""


def measure(mode: str, root: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", MEASURE, mode, str(root), str(ROOT / "tools")],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--needs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None, help="also write the JSON here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-check-") as tmp:
        root = Path(tmp)
        generate(root, args.entries, args.needs)
        runs: dict[str, list[dict]] = {"pybtex": [], "check": [], "cached": []}
        cache = root / ".guideline-cache"
        for _ in range(args.repeat):
            runs["pybtex"].append(measure("pybtex", root))
            for old in cache.glob("check-*.json"):
                old.unlink()
            runs["check"].append(measure("check", root))
            runs["cached"].append(measure("check", root))
        assert not any(r["cached"] for r in runs["check"]) and all(r["cached"] for r in runs["cached"])
    median = {k: statistics.median(r["seconds"] for r in v) for k, v in runs.items()}
    cpu = {k: statistics.median(r["cpu_seconds"] for r in v) for k, v in runs.items()}
    peak = {k: max(r["peak_rss_mb"] for r in v) for k, v in runs.items()}
    added = {k: max(r["added_rss_mb"] for r in v) for k, v in runs.items()}
    report = {
        "entries": args.entries, "needs": args.needs, "repeat": args.repeat,
        "seconds_median": median, "cpu_seconds_median": cpu, "peak_rss_mb": peak, "added_rss_mb": added,
        "ratio_check_to_pybtex": median["check"] / median["pybtex"],
        "ratio_cached_to_pybtex": median["cached"] / median["pybtex"],
        # CPU time is less disturbed by other processes on a shared machine.
        "cpu_ratio_check_to_pybtex": cpu["check"] / cpu["pybtex"],
        "cpu_ratio_cached_to_pybtex": cpu["cached"] / cpu["pybtex"],
        "targets": {"check": 1.5, "cached": 0.25},
        "check_summary": {k: runs["check"][-1][k] for k in ("findings", "needs", "quotes_found")},
    }
    report["met"] = (report["ratio_check_to_pybtex"] <= 1.5 and report["ratio_cached_to_pybtex"] <= 0.25)
    print(f"{'run':<28}{'wall s (median)':>16}{'x pybtex':>10}{'CPU s':>8}{'x pybtex':>10}{'peak RSS MB':>13}{'added MB':>10}")
    for key, label in (("pybtex", "bare pybtex parse"), ("check", "guideline check (cold)"),
                       ("cached", "guideline check (cached)")):
        print(f"{label:<28}{median[key]:>16.3f}{median[key] / median['pybtex']:>10.2f}{cpu[key]:>8.2f}"
              f"{cpu[key] / cpu['pybtex']:>10.2f}{peak[key]:>13.1f}{added[key]:>10.1f}")
    print(f"targets: check <= 1.5x, cached <= 0.25x -> {'met' if report['met'] else 'NOT met'}")
    text = json.dumps(report, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
