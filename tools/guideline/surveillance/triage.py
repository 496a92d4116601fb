"""The panel's decision on a hit, appended to the log as a ``triage`` event.

``new`` -> ``relevant`` (bears on a recommendation: its recommendations are
marked until reviewed), ``not relevant``, or ``included`` (the evidence has been
taken into the guideline as claims). A decision can be revised; every decision
stays in the log with its reason, who made it and when.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..errors import GuidelineError
from . import log as logmod

DECISIONS = tuple(s for s in logmod.STATES if s != "new")


def triage(path: Path, file: str, ref: str, state: str, reason: str, by: str, today: dt.date) -> logmod.Hit:
    """Record a decision on the hit ``ref`` (its id or a unique prefix); returns the hit."""
    state = " ".join(state.replace("-", " ").replace("_", " ").split()).lower()
    if state not in DECISIONS:
        raise GuidelineError("<command line>", 0, "usage.triage-state",
                             f"state {state!r} is not one of {', '.join(DECISIONS)}")
    if not reason.strip() or not by.strip():
        raise GuidelineError("<command line>", 0, "usage.triage-reason",
                             "a decision needs --reason (why) and --by (who decided)")
    current = logmod.read(path, file)
    hit = current.find(ref)
    if hit.state == state and hit.reason == reason.strip() and hit.by == by.strip():
        return hit  # the same decision again: nothing to record
    logmod.append(path, [{"event": "triage", "id": hit.id, "state": state, "reason": reason.strip(),
                          "by": by.strip(), "date": today.isoformat()}])
    return logmod.read(path, file).hits[hit.id]
