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
timed alone on the largest size.

    python benchmarks/bench_build.py                 # 100 and 1,000 needs, 3 rounds
    python benchmarks/bench_build.py --sizes 10000 --quick   # the large one (about 25 minutes)
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


def bench_size(size: int, rounds: int, variants: tuple[str, ...] = synth.VARIANTS, jobs: int = 1) -> list[Run]:
    work = OUT / f"sites-{size}"
    all_runs: list[Run] = []
    for number in range(rounds):
        for variant in variants:  # interleaved, so a busy moment hits all of them alike
            g = synth.make_guideline(size)
            runs = bench_variant(g, variant, work, jobs)
            for r in runs:
                print(f"  {size:>6} {variant:<8} {r.step:<5} {r.seconds:7.2f} s wall {r.cpu_seconds:7.2f} s cpu"
                      f" {r.peak_mib:7.0f} MiB"
                      f"{'' if r.ok else '  FAILED'}", flush=True)
            all_runs += runs
        print(f"  round {number + 1}/{rounds} of {size} done", flush=True)
    return all_runs


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
    args = parser.parse_args(argv)
    variants = tuple(v.strip() for v in args.variants.split(",") if v.strip())
    unknown = [v for v in variants if v not in synth.VARIANTS]
    if unknown or not variants:
        parser.error(f"--variants: unknown {', '.join(unknown) or '(none given)'}; choose from {', '.join(synth.VARIANTS)}")
    sizes = [int(s.replace("_", "").replace(",", "")) for s in args.sizes.split(",") if s.strip()]
    rounds = 1 if args.quick else args.rounds
    OUT.mkdir(exist_ok=True)
    print(f"benchmark: sizes {sizes}, variants {', '.join(variants)}, project -j {args.jobs}, "
          f"{rounds} round(s); {machine()}", flush=True)
    if 10000 not in sizes:
        print("  (10,000 needs skipped by default: --sizes 100,1000,10000)", flush=True)
    runs = [r for size in sizes for r in bench_size(size, rounds, variants, args.jobs)]
    medians = median_runs(runs)
    check = None if args.no_check else bench_check(max(sizes))
    report = table(medians)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    footer = (f"\n\n{stamp}; {machine()}; median of {rounds} round(s), project built with -j {args.jobs}, "
              "peak memory = max ru_maxrss of the build process.")
    if check:
        footer += (f"\nOffline validator (`guideline check`) alone at {check['size']:,} needs: "
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
        "date": stamp, "machine": machine(), "rounds": rounds, "sizes": sizes,
        "medians": [asdict(r) for r in medians], "runs": [asdict(r) for r in runs], "check": check,
    }, indent=2), encoding="utf-8")
    print(f"\nwrote {OUT / (name + '.json')} and .md")
    return 0 if all(r.ok for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
