"""Run `guideline watch`, `guideline check` and the build on a copy of this guideline against fake
registries on 127.0.0.1, before and after a retraction of a cited DOI; print what each says.

    .venv/bin/python tests/surveillance/loopback_demo.py

Nothing leaves the machine and the repository is not touched: the guideline is copied to a temporary
folder, and every registry answer (PMIDs 41000001-41000003, NCT07000001-NCT07000002, the retraction
notice 10.1056/nejmx2600001) is made up for the demonstration and marked as such in its title.
"""

from __future__ import annotations

import html
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from pytest_httpserver import HTTPServer

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE.parent))

from guideline.surveillance import config as configmod  # noqa: E402
from surveillance.conftest import Registries, esummary_record, retraction, study, work  # noqa: E402

DOI = "10.1056/NEJMoa2203478"  # moreau2022teclistamab in references.bib


def show(title: str, proc: subprocess.CompletedProcess, keep=lambda line: True) -> None:
    print(f"\n$ {title}    (exit {proc.returncode})")
    for line in (proc.stderr + proc.stdout).splitlines():
        if keep(line):
            print("  " + line)


def main() -> None:
    work_dir = Path(tempfile.mkdtemp(prefix="surveillance-demo-"))
    root = work_dir / "guideline"
    for name in ("docs", "seeds"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("_build"))
    for name in ("references.bib", "references.lock.json"):
        shutil.copy2(REPO / name, root / name)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    searches = {s.id: s for s in configmod.load(root / "docs", root).searches}
    server = HTTPServer(host="127.0.0.1")
    server.start()
    try:
        fake = Registries(server)
        for doi, title in (("10.1016/S1470-2045(24)00043-3", "International Myeloma Working Group immunotherapy"),
                           ("10.1056/NEJMoa2204591", "Talquetamab, a T-Cell-Redirecting GPRC5D Bispecific Antibody")):
            fake.works[doi.lower()] = work(doi, title)
        fake.esearch[searches["agents"].pubmed] = ["41000003", "41000002", "41000001"]
        fake.esearch[searches["extramedullary"].pubmed] = ["41000001"]
        for pmid, title in (("41000001", "Talquetamab plus teclistamab in extramedullary myeloma"),
                            ("41000002", "Elranatamab every four weeks after response"),
                            ("41000003", "Outpatient step-up dosing of teclistamab")):
            fake.summaries[pmid] = esummary_record(pmid, f"[loopback demo] {title}")
        fake.search_studies = [study("NCT07000001", "[loopback demo] Linvoseltamab in extramedullary disease"),
                               study("NCT07000002", "[loopback demo] Tocilizumab prophylaxis before step-up dosing")]
        env = {**os.environ, "GUIDELINE_ROOT": str(root), "GUIDELINE_EDITION_DATE": "2026-11-26", **fake.env()}

        def guideline(*args: str) -> subprocess.CompletedProcess:
            return subprocess.run([sys.executable, "-m", "guideline.cli", *args], cwd=root, env=env,
                                  capture_output=True, text=True, timeout=600)

        show("guideline watch", guideline("watch", "--today", "2026-11-25"))
        show("guideline watch status", guideline("watch", "status", "--today", "2026-11-25"))
        show("guideline watch triage PMID:41000001 relevant ...",
             guideline("watch", "triage", "PMID:41000001", "relevant", "--reason",
                       "[loopback demo] bears on extramedullary disease", "--by", "demo panel", "--today", "2026-11-25"))
        show("guideline check --no-cache", guideline("check", "--no-cache"),
             lambda line: "surv.evidence-changed]" in line or line.startswith("guideline check:"))
        fake.works[DOI.lower()] = work(DOI, "Teclistamab in Relapsed or Refractory Multiple Myeloma",
                                       [retraction("10.1056/NEJMx2600001", (2026, 11, 26))])
        print("\n# Crossref now lists a retraction notice in updated-by of", DOI)
        show("guideline watch --search cited --all", guideline("watch", "--search", "cited", "--all",
                                                                "--today", "2026-11-26"))
        show("guideline check --no-cache", guideline("check", "--no-cache"),
             lambda line: "surv.retracted-source]" in line or line.startswith("guideline check:"))
        out = work_dir / "html"
        build = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
                                str(root / "docs"), str(out)], env=env, capture_output=True, text=True, timeout=600)
        show("sphinx-build -W (guideline build)", build, lambda line: "WARNING" in line or "build" in line.lower())
        print("\n# Recommendations whose card carries the evidence-changed notice:")
        for page in sorted(out.glob("recommendations/*.html")):
            text = page.read_text(encoding="utf-8")
            for rec_id in re.findall(r'id="((?:REC|GPS)_[A-Z]+_\d+)"', text):
                card = text[text.index(f'id="{rec_id}"'):]
                following = re.search(r'id="(?:REC|GPS)_[A-Z]+_\d+"', card[10:])
                card = card[: following.start() + 10] if following else card
                notice = re.search(r'class="evidence-changed docutils container">(.*?)</div>', card, re.S)
                if notice:
                    said = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", notice.group(1))).strip())
                    print(f"  {page.relative_to(out)} {rec_id}: {said}")
    finally:
        server.stop()
        shutil.rmtree(work_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
