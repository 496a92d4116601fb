"""Where things are: the repository layout every command relies on."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import GuidelineError


@dataclass(frozen=True)
class Project:
    root: Path

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    @property
    def seeds(self) -> Path:
        return self.root / "seeds"

    @property
    def bibfile(self) -> Path:
        return self.root / "references.bib"

    @property
    def build(self) -> Path:
        return self.root / "build"


def find_project(start: Path | None = None) -> Project:
    """The repository holding ``docs/conf.py``, from GUIDELINE_ROOT or the cwd upwards."""
    env = os.environ.get("GUIDELINE_ROOT")
    here = Path(env) if env else (start or Path.cwd())
    for candidate in (here, *here.resolve().parents):
        if (candidate / "docs" / "conf.py").is_file():
            return Project(candidate.resolve())
    raise GuidelineError(str(here), 0, "project.not-found",
                         "no guideline project here (looked for docs/conf.py in this and parent folders)",
                         "run the command inside the repository or set GUIDELINE_ROOT")
