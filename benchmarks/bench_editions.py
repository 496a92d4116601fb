"""Benchmark: one edition of the shipped guideline (HTML + full PDF + handout) and the site.

Targets (issue 5): one edition within 60 s on a 2-core machine, the site within 2 s.
Runs in a temporary local clone (git clone --shared) so build/ of the work tree is
untouched. Prints wall times and ratios against a plain HTML build of the same content
in the same run.

    python benchmarks/bench_editions.py [--edition 2026.1] [--repeat 1]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edition", default=None, help="edition id (default: the newest registered)")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    from guideline.build import sphinx_html
    from guideline.editions import build, registry, site, worktree

    editions = registry.load(REPO)
    edition = registry.get(editions, args.edition) if args.edition else editions[-1]
    with tempfile.TemporaryDirectory(prefix="bench-editions-") as tmp:
        clone = Path(tmp) / "clone"
        subprocess.run(["git", "clone", "-q", "--shared", "--no-checkout", str(REPO), str(clone)], check=True)
        (clone / "docs").mkdir()
        shutil.copyfile(REPO / "docs" / "editions.toml", clone / "docs" / "editions.toml")
        content = worktree.export(clone, worktree.resolve_commit(clone, edition.commit), Path(tmp) / "content")
        rows = []
        for run in range(args.repeat):
            html_s, _ = timed(lambda: sphinx_html(content / "docs", Path(tmp) / f"plain-{run}", quiet=True,
                                                  extra=["-d", str(Path(tmp) / f"plain-dt-{run}")]))
            # Earlier editions' needs.json come from a cache after the first run; the first run pays for them.
            shutil.rmtree(clone / "build" / "editions", ignore_errors=True)
            ed_s, result = timed(lambda: build.build_edition(clone, edition.id))
            site_s, _ = timed(lambda: site.assemble(clone))
            rows.append((html_s, ed_s, site_s))
        counts = result.manifest["counts"]
    print(f"edition {edition.id}: {counts['recommendations']} recommendations, {counts['claims']} claims, "
          f"{counts['sources']} sources")
    print(f"{'run':>4} {'plain HTML s':>13} {'edition s':>10} {'site s':>7} {'edition/HTML':>13}")
    for index, (html_s, ed_s, site_s) in enumerate(rows, start=1):
        print(f"{index:>4} {html_s:>13.1f} {ed_s:>10.1f} {site_s:>7.2f} {ed_s / html_s:>13.1f}")
    best = min(rows, key=lambda r: r[1])
    print(f"target: edition <= 60 s: {'met' if best[1] <= 60 else 'MISSED'} ({best[1]:.1f} s); "
          f"site <= 2 s: {'met' if min(r[2] for r in rows) <= 2 else 'MISSED'} ({min(r[2] for r in rows):.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
