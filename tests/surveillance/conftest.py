"""A tiny guideline repository with saved searches, and fake registries on 127.0.0.1.

The fake registries answer in the registries' recorded formats (PubMed
E-utilities JSON, ClinicalTrials.gov API v2, Crossref REST) from state the test
changes between runs, and record every request they get.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from werkzeug import Request, Response

from guideline.check.online import Client, OnlineConfig

MOREAU_DOI = "10.1056/NEJMoa2203478"
LEE_DOI = "10.1016/j.bbmt.2018.12.758"
MAJESTEC = "NCT04557098"
RUN1 = dt.date(2026, 11, 25)
RUN2 = dt.date(2026, 12, 2)

GUIDELINE_TOML = """[guideline]
title = "Test guideline"
review_interval_days = 365
contact = "maintainers@example.org"

[grading]
name = "Test scheme"

[grading.levels]
I = "Randomised trials."
V = "Expert opinion."

[grading.grades]
A = "Strongly recommended."
B = "Recommended."
"""

CONF = """
extensions = ["myst_parser", "sphinxcontrib.bibtex", "guideline.sphinxext"]
myst_enable_extensions = ["colon_fence"]
bibtex_bibfiles = ["../references.bib"]
exclude_patterns = ["_build"]
root_doc = "index"
html_theme = "basic"
"""

BIB = """@article{moreau2022,
  author = {Moreau, Philippe and Garfall, Alfred L.},
  title = {Teclistamab in Relapsed or Refractory Multiple Myeloma},
  journal = {N Engl J Med},
  year = {2022},
  volume = {387},
  number = {6},
  pages = {495--505},
  doi = {10.1056/NEJMoa2203478},
  pmid = {35661166},
  nct = {NCT04557098},
}

@article{lee2019,
  author = {Lee, Daniel W. and Santomasso, Bianca D.},
  title = {ASTCT Consensus Grading for Cytokine Release Syndrome and Neurologic Toxicity Associated with Immune Effector Cells},
  journal = {Biol Blood Marrow Transplant},
  year = {2019},
  volume = {25},
  number = {4},
  pages = {625--638},
  doi = {10.1016/j.bbmt.2018.12.758},
}
"""

INDEX = """# Test guideline

```{source} MajesTEC-1
:id: SRC_MAJES
:cite: moreau2022
:kind: primary trial report
:reliability: high
:file: seeds/majestec.txt
```

```{source} ASTCT grading
:id: SRC_ASTCT
:cite: lee2019
:kind: consensus guideline
:reliability: high
:file: seeds/astct.txt
```

```{claim} Response rate
:id: CLM_MAJES_01
:cite: moreau2022
:quote: the overall response rate was 63.0 %
:verification: verified
```

```{claim} Grading
:id: CLM_ASTCT_01
:cite: lee2019
:quote: consensus grading for cytokine release syndrome
:verification: verified
```

```{rec} Offer teclistamab
:id: REC_TEC_01
:status: approved
:based_on: CLM_MAJES_01
:grade: A
:level: I
:introduced: 2026.1
:last_reviewed: 2026-11-21

Offer teclistamab {cite:p}`moreau2022`.
```

```{rec} Monitor teclistamab step-up dosing
:id: REC_TEC_02
:status: draft
:based_on: CLM_MAJES_01, CLM_ASTCT_01
:grade: B
:level: V
:introduced: 2026.1
:last_reviewed: 2026-11-21

Monitor step-up dosing.
```

```{rec} Grade CRS with the ASTCT consensus
:id: REC_CRS_01
:status: approved
:based_on: CLM_ASTCT_01
:grade: A
:level: V
:introduced: 2026.1
:last_reviewed: 2026-11-21

Grade CRS with the ASTCT consensus {cite:p}`lee2019`.
```

```{bibliography}
```
"""

SURVEILLANCE = """[surveillance]
log = "surveillance-log.jsonl"
since = 2026-11-21
overlap_days = 7
page_size = 2
max_pages = 5

[cited]
interval_days = 30

[[search]]
id = "tec"
title = "Teclistamab"
topics = ["TEC"]
interval_days = 7
pubmed = "teclistamab[tiab]"
ctgov = { cond = "Multiple Myeloma", intr = "teclistamab" }

[[search]]
id = "crs"
title = "CRS"
topics = ["CRS"]
interval_days = 7
pubmed = '"cytokine release syndrome"[tiab] AND myeloma[tiab]'
"""

FILES = {
    "docs/guideline.toml": GUIDELINE_TOML,
    "docs/conf.py": CONF,
    "docs/index.md": INDEX,
    "docs/surveillance.toml": SURVEILLANCE,
    "docs/surveillance-log.jsonl": "",
    "references.bib": BIB,
    "seeds/majestec.txt": "Among 165 patients, the overall response rate was 63.0 % with teclistamab.\n",
    "seeds/astct.txt": "ASTCT consensus grading for cytokine release syndrome and neurologic toxicity.\n",
}


def write_repo(root: Path, files: dict[str, str] | None = None) -> Path:
    for rel, content in (files or FILES).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return root


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_repo(tmp_path / "repo")


# -- recorded-format answers --------------------------------------------------------

def esummary_record(pmid: str, title: str, doi: str = "", pubtype: tuple[str, ...] = ("Journal Article",),
                    pubdate: str = "2026 Nov 24") -> dict:
    ids = [{"idtype": "pubmed", "idtypen": 1, "value": pmid}]
    if doi:
        ids.append({"idtype": "doi", "idtypen": 3, "value": doi})
    return {"uid": pmid, "pubdate": pubdate, "epubdate": pubdate, "source": "Blood",
            "authors": [{"name": "Doe J", "authtype": "Author"}], "title": title, "volume": "", "issue": "",
            "pages": "", "lang": ["eng"], "pubtype": list(pubtype), "articleids": ids,
            "fulljournalname": "Blood", "sortpubdate": "2026/11/24 00:00"}


def study(nct: str, title: str, status: str = "RECRUITING", results_date: str = "",
          first_posted: str = "2026-11-23", last_update: str = "2026-11-23") -> dict:
    status_module = {"overallStatus": status, "studyFirstPostDateStruct": {"date": first_posted, "type": "ACTUAL"},
                     "lastUpdatePostDateStruct": {"date": last_update, "type": "ACTUAL"}}
    if results_date:
        status_module["resultsFirstPostDateStruct"] = {"date": results_date, "type": "ACTUAL"}
    return {"protocolSection": {"identificationModule": {"nctId": nct, "briefTitle": title},
                                "statusModule": status_module},
            "hasResults": bool(results_date)}


def work(doi: str, title: str, updated_by: list[dict] | None = None) -> dict:
    message = {"DOI": doi, "type": "journal-article", "title": [title],
               "container-title": ["New England Journal of Medicine"], "issued": {"date-parts": [[2022, 8, 11]]}}
    if updated_by:
        message["updated-by"] = updated_by
    return {"status": "ok", "message-type": "work", "message-version": "1.0.0", "message": message}


def retraction(notice_doi: str, date=(2026, 11, 30), kind: str = "retraction") -> dict:
    return {"updated": {"date-parts": [list(date)]}, "DOI": notice_doi, "type": kind,
            "source": "retraction-watch", "label": kind.capitalize()}


class Registries:
    """PubMed, ClinicalTrials.gov and Crossref as one fake server; state is changed by the test."""

    def __init__(self, httpserver) -> None:
        self.server = httpserver
        self.base = httpserver.url_for("").rstrip("/")
        self.esearch: dict[str, list[str]] = {}      # term ("*": any other term) -> every matching PMID
        self.summaries: dict[str, dict] = {}         # PMID -> esummary record
        self.search_studies: list[dict] = []         # what /studies answers (any query)
        self.studies: dict[str, dict] = {}           # NCT -> /studies/{nct}
        self.works: dict[str, dict] = {}             # DOI (lower case) -> /works/{doi}
        self.requests: list[tuple[str, dict]] = []
        httpserver.expect_request("/eutils/esearch.fcgi").respond_with_handler(self._esearch)
        httpserver.expect_request("/eutils/esummary.fcgi").respond_with_handler(self._esummary)
        httpserver.expect_request("/ctgov/studies").respond_with_handler(self._studies)
        httpserver.expect_request(re.compile(r"^/ctgov/studies/NCT\d{8}$")).respond_with_handler(self._study)
        httpserver.expect_request(re.compile(r"^/crossref/works/.+")).respond_with_handler(self._work)
        self.works[MOREAU_DOI.lower()] = work(MOREAU_DOI, "Teclistamab in Relapsed or Refractory Multiple Myeloma")
        self.works[LEE_DOI.lower()] = work(LEE_DOI, "ASTCT Consensus Grading for Cytokine Release Syndrome")
        self.summaries["35661166"] = esummary_record("35661166", "Teclistamab in Relapsed or Refractory Multiple "
                                                     "Myeloma.", MOREAU_DOI, pubdate="2022 Aug 11")
        self.studies[MAJESTEC] = study(MAJESTEC, "MajesTEC-1", status="ACTIVE_NOT_RECRUITING")

    def urls(self) -> dict[str, str]:
        return {"crossref_url": self.base + "/crossref", "pubmed_url": self.base + "/eutils",
                "ctgov_url": self.base + "/ctgov"}

    def env(self) -> dict[str, str]:
        urls = self.urls()
        return {"GUIDELINE_CROSSREF_URL": urls["crossref_url"], "GUIDELINE_PUBMED_URL": urls["pubmed_url"],
                "GUIDELINE_CTGOV_URL": urls["ctgov_url"]}

    def client(self, **config) -> Client:
        sleeps: list[float] = []
        settings = {"contact": "maintainers@example.org", "timeout": 5.0, "retries": 2, "backoff": 0.01,
                    "min_interval": {}, **self.urls(), **config}
        client = Client(OnlineConfig(**settings), sleep=sleeps.append)
        client.sleeps = sleeps  # type: ignore[attr-defined]
        return client

    def paths(self, prefix: str) -> list[dict]:
        return [args for path, args in self.requests if path.startswith(prefix)]

    @staticmethod
    def _json(data: dict, status: int = 200) -> Response:
        return Response(json.dumps(data), status=status, content_type="application/json")

    def _note(self, request: Request) -> None:
        self.requests.append((request.path, dict(request.args)))

    def _esearch(self, request: Request) -> Response:
        self._note(request)
        ids = self.esearch.get(request.args["term"], self.esearch.get("*", []))
        start, size = int(request.args.get("retstart", 0)), int(request.args.get("retmax", 20))
        page = ids[start:start + size]
        return self._json({"header": {"type": "esearch", "version": "0.3"},
                           "esearchresult": {"count": str(len(ids)), "retmax": str(len(page)), "retstart": str(start),
                                             "idlist": page, "translationset": [], "querytranslation": ""}})

    def _esummary(self, request: Request) -> Response:
        self._note(request)
        uids = request.args["id"].split(",")
        result: dict = {"uids": uids}
        for uid in uids:
            result[uid] = self.summaries.get(uid, {"uid": uid, "error": "cannot get document summary"})
        return self._json({"header": {"type": "esummary", "version": "0.3"}, "result": result})

    def _studies(self, request: Request) -> Response:
        self._note(request)
        start = int(request.args.get("pageToken") or 0)
        size = int(request.args.get("pageSize", 10))
        page = self.search_studies[start:start + size]
        data: dict = {"studies": page, "totalCount": len(self.search_studies)}
        if start + size < len(self.search_studies):
            data["nextPageToken"] = str(start + size)
        return self._json(data)

    def _study(self, request: Request) -> Response:
        self._note(request)
        nct = request.path.rsplit("/", 1)[1]
        if nct not in self.studies:
            return self._json({"message": "not found"}, 404)
        return self._json(self.studies[nct])

    def _work(self, request: Request) -> Response:
        self._note(request)
        doi = unquote(request.path.split("/works/", 1)[1]).lower()
        if doi not in self.works:
            return Response("Resource not found.", status=404, content_type="text/plain")
        return self._json(self.works[doi])


@pytest.fixture
def registries(httpserver) -> Registries:
    return Registries(httpserver)
