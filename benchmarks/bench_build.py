"""Build benchmark: the project's build against plain sphinx-needs (the peer) and plain MyST (the floor).

For each size the same synthetic guideline (benchmarks/synth.py) is built as

    project  ``guideline build`` (extension, validation, views; integrity hook when present)
    peer     ``sphinx-build`` with plain sphinx-needs + sphinxcontrib-bibtex, needtables as views
    floor    ``sphinx-build`` of the same text as MyST admonitions, no needs, no bibtex

three times each: a full build, a no-op rebuild and a rebuild after editing one
recommendation's title on one page. Every build runs in its own subprocess;
wall time is measured around it and peak memory is that child's ru_maxrss
(``os.wait4``). After the edit, "views current" says whether the overview page
shows the new title (the peer's needtable stays stale: a sphinx-needs
limitation). With ``guideline check`` available, the offline validator is
timed on the largest size.

On two or more cores the builds run in two lanes (``--lanes 2``, the default):
the peer, the longest, on one core; the project, the floor and the validator one
after another on the other. Every build then runs beside exactly one other
build, the project included, and the 10,000-need round takes the time of the
peer's builds instead of the sum of all. ``--lanes 1`` runs one build at a time.

    python benchmarks/bench_build.py                 # 100 and 1,000 needs, 3 rounds
    python benchmarks/bench_build.py --sizes 10000 --quick   # the large one (under 10 minutes)
    python benchmarks/bench_build.py --quick         # one round each
    python benchmarks/bench_build.py --sizes 10000 --quick --variants project   # the project alone
    python benchmarks/bench_build.py --sizes 1000 --quick --variants project --jobs 2   # parallel Sphinx

Prints a table with ratios and writes benchmarks/out/bench-<sizes>.json and .md.
Times are only comparable within one run: the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))

import synth  # noqa: E402

STEPS = ("full", "noop", "edit")


@dataclass
class Run:
    size: int
    variant: str
    step: str
    seconds: float
    cpu_seconds: float  # user + system time of the build process: steadier than wall time on a shared machine
    peak_mib: float
    ok: bool
    views_current: bool | None = None


def _bin(name: str) -> str:
    """A console script of the interpreter running this file (the project's venv)."""
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else name


def build_command(variant: str, root: Path, out: Path, jobs: int = 1) -> list[str]:
    if variant == "project":
        return [_bin("guideline"), "build", "-q", "-o", str(out), "-j", str(jobs)]
    # The same flags `guideline build` passes to Sphinx.
    return [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q", "-j", "1",
            str(root / "docs"), str(out)]


def run_measured(command: list[str], cwd: Path, log: Path) -> tuple[float, float, float, bool]:
    """Run one command in a child process: (wall seconds, CPU seconds, peak RSS in MiB, success)."""
    env = {**os.environ, "GUIDELINE_ROOT": str(cwd), "PYTHONHASHSEED": "0"}
    with log.open("w", encoding="utf-8") as sink:
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=cwd, stdout=sink, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, cpu, usage.ru_maxrss / 1024, child.returncode == 0  # ru_maxrss is KiB on Linux


def _views_current(out: Path, title: str) -> bool:
    page = (out / "overview.html").read_text(encoding="utf-8")
    return title in page


def bench_variant(g: synth.Guideline, variant: str, work: Path, jobs: int = 1) -> list[Run]:
    root = work / variant
    out = work / f"{variant}-html"
    shutil.rmtree(out, ignore_errors=True)
    synth.write_site(g, variant, root)
    runs = []
    for step in STEPS:
        title = None
        if step == "edit":
            _, title = synth.edit_one_need(g, root, variant, revision=int(time.time()))
            time.sleep(0.01)  # a different mtime even on coarse file systems
        seconds, cpu, peak, ok = run_measured(build_command(variant, root, out, jobs), root,
                                              work / f"{variant}-{step}.log")
        current = _views_current(out, title) if title and ok and variant != "floor" else None
        runs.append(Run(g.needs, variant, step, seconds, cpu, peak, ok, current))
        if not ok:
            print(f"  {variant} {step} FAILED, see {work / f'{variant}-{step}.log'}", file=sys.stderr)
            break
    return runs


def _lanes(variants: tuple[str, ...], lanes: int) -> list[list[str]]:
    """Which builds run one after another on each core. With two lanes the peer (the longest)
    has one core and the project, the floor and the validator take turns on the other, so every
    build runs beside exactly one other and none is favoured by a quiet machine."""
    if lanes < 2 or "peer" not in variants or len(variants) == 1:
        return [list(variants)]
    return [["peer"], [v for v in variants if v != "peer"]]


def bench_size(size: int, rounds: int, variants: tuple[str, ...] = synth.VARIANTS, jobs: int = 1,
               lanes: int = 1, check: bool = False) -> tuple[list[Run], dict | None]:
    """Every round of one size; with ``check`` the offline validator is timed after the last round."""
    work = OUT / f"sites-{size}"
    all_runs: list[Run] = []
    timed_check: list[dict | None] = [None]

    def lane(names: list[str], last: bool) -> None:
        for variant in names:
            g = synth.make_guideline(size)
            runs = bench_variant(g, variant, work, jobs)
            for r in runs:
                print(f"  {size:>6} {variant:<8} {r.step:<5} {r.seconds:7.2f} s wall {r.cpu_seconds:7.2f} s cpu"
                      f" {r.peak_mib:7.0f} MiB"
                      f"{'' if r.ok else '  FAILED'}", flush=True)
            all_runs.extend(runs)
        if last and check and "project" in names:
            timed_check[0] = bench_check(size)

    plan = _lanes(variants, lanes)
    for number in range(rounds):
        last = number == rounds - 1
        threads = [threading.Thread(target=lane, args=(names, last)) for names in plan[1:]]
        for thread in threads:
            thread.start()
        lane(plan[0], last)
        for thread in threads:
            thread.join()
        print(f"  round {number + 1}/{rounds} of {size} done", flush=True)
    if check and timed_check[0] is None and "project" not in variants:
        timed_check[0] = bench_check(size)
    return all_runs, timed_check[0]


def median_runs(runs: list[Run]) -> list[Run]:
    """One run per (size, variant, step): the median time over rounds, the highest peak memory."""
    out = []
    keys = sorted({(r.size, r.variant, r.step) for r in runs},
                  key=lambda k: (k[0], synth.VARIANTS.index(k[1]), STEPS.index(k[2])))
    for size, variant, step in keys:
        same = [r for r in runs if (r.size, r.variant, r.step) == (size, variant, step)]
        out.append(Run(size, variant, step, statistics.median(r.seconds for r in same),
                       statistics.median(r.cpu_seconds for r in same), max(r.peak_mib for r in same), all(r.ok for r in same),
                       None if same[0].views_current is None else all(r.views_current for r in same)))
    return out


def check_available() -> bool:
    try:
        return subprocess.run([_bin("guideline"), "check", "--help"], capture_output=True).returncode == 0
    except OSError:
        return False


def bench_check(size: int) -> dict | None:
    """The offline validator alone on the project variant of ``size`` needs."""
    if not check_available():
        return None
    root = OUT / f"sites-{size}" / "project"
    if not root.exists():
        synth.write_site(synth.make_guideline(size), "project", root)
    seconds, cpu, peak, ok = run_measured([_bin("guideline"), "check"], root, OUT / f"check-{size}.log")
    return {"size": size, "seconds": seconds, "cpu_seconds": cpu, "peak_mib": peak, "ok": ok}


def _ratio(a: Run | None, b: Run | None) -> str:
    """Wall-time ratio, CPU-time ratio in brackets."""
    if not a or not b or not b.seconds or not b.cpu_seconds:
        return "-"
    return f"{a.seconds / b.seconds:.2f}x ({a.cpu_seconds / b.cpu_seconds:.2f}x)"


def _time(r: Run | None) -> str:
    return f"{r.seconds:.1f} ({r.cpu_seconds:.1f})" if r else "-"


def table(runs: list[Run]) -> str:
    """Markdown: one row per size and variant, with the ratios the targets are stated in."""
    by = {(r.size, r.variant, r.step): r for r in runs}
    lines = ["| needs | build | full | no-op | one-page edit | edit / no-op | full vs peer "
             "| full vs floor | peak memory (MiB) | views current after edit |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for size in sorted({r.size for r in runs}):
        for variant in synth.VARIANTS:
            full, noop, edit = (by.get((size, variant, s)) for s in STEPS)
            if not full:
                continue
            peak = max(r.peak_mib for r in (full, noop, edit) if r)
            current = {None: "n/a", True: "yes", False: "no (stale)"}[edit.views_current if edit else None]
            failed = not all(r and r.ok for r in (full, noop, edit))
            lines.append("| " + " | ".join([
                f"{size:,}", variant, _time(full), _time(noop), _time(edit), _ratio(edit, noop),
                _ratio(full, by.get((size, "peer", "full"))), _ratio(full, by.get((size, "floor", "full"))),
                f"{peak:.0f}", current + (" FAILED" if failed else "")]) + " |")
    lines.append("\nTimes in seconds: wall (CPU = user + system of the build process); ratios: wall (CPU).")
    return "\n".join(lines)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        model = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                     if line.startswith("model name"))
        cpu = model
    except (OSError, StopIteration):
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, {platform.system()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000",
                        help="comma-separated need counts (default 100,1000; add 10000 for the large one)")
    parser.add_argument("--rounds", type=int, default=3, help="repeat each build this often, report medians")
    parser.add_argument("--quick", action="store_true", help="one round, for a smoke test")
    parser.add_argument("--no-check", action="store_true", help="skip timing the offline validator")
    parser.add_argument("--variants", default=",".join(synth.VARIANTS),
                        help="comma-separated builds to run (default project,peer,floor)")
    parser.add_argument("--jobs", type=int, default=1, help="parallel Sphinx processes for the project build")
    parser.add_argument("--lanes", type=int, choices=(1, 2), default=2 if (os.cpu_count() or 1) >= 2 else 1,
                        help="2 (default on 2+ cores): the peer on one core, project, floor and validator in turn "
                             "on the other; 1: every build alone, one after another")
    args = parser.parse_args(argv)
    variants = tuple(v.strip() for v in args.variants.split(",") if v.strip())
    unknown = [v for v in variants if v not in synth.VARIANTS]
    if unknown or not variants:
        parser.error(f"--variants: unknown {', '.join(unknown) or '(none given)'}; choose from {', '.join(synth.VARIANTS)}")
    sizes = [int(s.replace("_", "").replace(",", "")) for s in args.sizes.split(",") if s.strip()]
    rounds = 1 if args.quick else args.rounds
    OUT.mkdir(exist_ok=True)
    print(f"benchmark: sizes {sizes}, variants {', '.join(variants)}, project -j {args.jobs}, "
          f"{rounds} round(s), {args.lanes} lane(s); {machine()}", flush=True)
    if 10000 not in sizes:
        print("  (10,000 needs skipped by default: --sizes 100,1000,10000)", flush=True)
    started = time.perf_counter()
    runs: list[Run] = []
    check = None
    for size in sizes:
        size_runs, timed = bench_size(size, rounds, variants, args.jobs, args.lanes,
                                      check=not args.no_check and size == max(sizes))
        runs += size_runs
        check = timed or check
    elapsed = time.perf_counter() - started
    medians = median_runs(runs)
    report = table(medians)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lanes = ("every build beside one other: the peer on one core, project, floor and validator in turn on "
             "the other" if len(_lanes(variants, args.lanes)) > 1 else "one build at a time")
    footer = (f"\n\n{stamp}; {machine()}; median of {rounds} round(s), project built with -j {args.jobs}, "
              f"{lanes}; the whole benchmark took {elapsed / 60:.1f} min; "
              "peak memory = max ru_maxrss of the build process.")
    if check:
        footer += (f"\nOffline validator (`guideline check`) at {check['size']:,} needs: "
                   f"{check['seconds']:.1f} s, {check['peak_mib']:.0f} MiB{'' if check['ok'] else ' (FAILED)'}.")
    elif not args.no_check:
        footer += "\n`guideline check` not available: validator not timed."
    print("\n" + report + footer)
    name = "bench-" + "-".join(map(str, sizes))
    if variants != synth.VARIANTS:
        name += "-" + "-".join(variants)
    if args.jobs != 1:
        name += f"-j{args.jobs}"
    (OUT / f"{name}.md").write_text(report + footer + "\n", encoding="utf-8")
    (OUT / f"{name}.json").write_text(json.dumps({
        "date": stamp, "machine": machine(), "rounds": rounds, "sizes": sizes, "lanes": args.lanes,
        "elapsed_seconds": elapsed,
        "medians": [asdict(r) for r in medians], "runs": [asdict(r) for r in runs], "check": check,
    }, indent=2), encoding="utf-8")
    print(f"\nwrote {OUT / (name + '.json')} and .md")
    return 0 if all(r.ok for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
