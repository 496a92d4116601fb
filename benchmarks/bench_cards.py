"""Need cards: the presentation layer's own cards against sphinx-needs' layout engine, in one process.

The same synthetic guideline (benchmarks/synth.py, default 2,000 needs) is built
again and again in this process, alternating between

    project  the cards of ``guideline.presentation.card``: each type (rec, gps,
             claim, source, gap) evaluates only the rows it shows
    layout   sphinx-needs' layout engine (``build_need_repr``) with the project's
             fallback layout (``sphinxext/layout.py``): the same 15 rows
             evaluated for every need, whatever its type

Everything else in the two builds is the same code. The write phase (resolving
the pages, drawing the cards, writing HTML and the search index) is timed with
the CPU clock of this process, from ``write-started`` to ``build-finished``; the
read phase is the same for both and not counted. Prints the median of the
rounds and the ratio project / layout. The two do not give the same HTML: the
project's cards are the reader's cards (words, badges, layers), the layout's are
metadata tables; this measures what each costs per need.

    python benchmarks/bench_cards.py                  # 2,000 needs, 3 rounds each
    python benchmarks/bench_cards.py --needs 10000 --rounds 1
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import synth  # noqa: E402


def build_once(root: Path, out: Path, engine: str) -> float:
    """One fresh build; the CPU seconds of its write phase."""
    from sphinx.application import Sphinx

    from guideline.presentation import card

    saved = dict(card.CARDS)
    if engine == "layout":
        card.CARDS.clear()  # every need goes to sphinx-needs' layout (sphinxext/views.py skips unknown types)
    marks: dict[str, float] = {}
    try:
        app = Sphinx(str(root / "docs"), str(root / "docs"), str(out / "html"), str(out / "doctrees"), "html",
                     status=io.StringIO(), warning=io.StringIO(), freshenv=True,
                     confoverrides={"guideline_check": False})
        app.connect("write-started", lambda *_: marks.setdefault("start", time.process_time()))
        app.connect("build-finished", lambda *_: marks.setdefault("end", time.process_time()), priority=900)
        app.build()
    finally:
        card.CARDS.clear()
        card.CARDS.update(saved)
    if app.statuscode:
        raise SystemExit(f"{engine} build failed: {app._warning.getvalue()[-2000:]}")
    return marks["end"] - marks["start"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--needs", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-cards-") as tmp:
        root = Path(tmp) / "site"
        synth.write_site(synth.make_guideline(args.needs), "project", root)
        os.environ["GUIDELINE_ROOT"] = str(root)
        times: dict[str, list[float]] = {"project": [], "layout": []}
        for number in range(args.rounds):
            for engine in ("project", "layout") if number % 2 == 0 else ("layout", "project"):
                seconds = build_once(root, Path(tmp) / f"{engine}-{number}", engine)
                times[engine].append(seconds)
                print(f"  round {number + 1} {engine:<8} write phase {seconds:6.2f} s CPU", flush=True)
    project, layout = (statistics.median(times[e]) for e in ("project", "layout"))
    per = 1000 / args.needs
    print(f"\n{args.needs:,} needs, median of {args.rounds} round(s), write phase CPU seconds:")
    print(f"  project cards          {project:6.2f} s ({project * per:.2f} s per 1,000 needs)")
    print(f"  sphinx-needs layout    {layout:6.2f} s ({layout * per:.2f} s per 1,000 needs)")
    print(f"  project / layout       {project / layout:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
