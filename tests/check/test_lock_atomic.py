"""The lockfile is replaced atomically: a crash or kill -9 mid-write leaves the old file or
the complete new one, never a torn file (issue 9, section 4)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from guideline import atomic
from guideline.check.lock import write_lock

from .conftest import EDITION, base_files, lock_text
from .test_online import crossref_work

OLD = {"moreau2022": {"status": "verified", "identifiers": {"doi": "10.1/old"}}}


@pytest.mark.parametrize("fail_at", ["write", "fsync", "replace"])
def test_crash_mid_write_keeps_the_old_lock(tmp_path, monkeypatch, fail_at):
    lock = tmp_path / "references.lock.json"
    write_lock(lock, OLD)
    before = lock.read_bytes()

    class Crash(Exception):
        pass

    def crash(*args, **kwargs):
        raise Crash(fail_at)

    if fail_at == "write":  # half the bytes reach the temporary file, then the process "dies"
        real_fdopen = os.fdopen

        def torn_fdopen(fd, *args, **kwargs):
            handle = real_fdopen(fd, *args, **kwargs)
            real_write = handle.write

            def write(data):
                real_write(data[: len(data) // 2])
                raise Crash("write")
            handle.write = write
            return handle
        monkeypatch.setattr(atomic.os, "fdopen", torn_fdopen)
    else:
        monkeypatch.setattr(atomic.os, fail_at, crash)
    with pytest.raises(Crash):
        write_lock(lock, {**OLD, "new2026": {"status": "verified", "title": "x" * 100_000}})
    assert lock.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["references.lock.json"]  # no temporary file left


N_REFS = 4


def _repo(root):
    files = base_files()
    files["references.bib"] = "".join(
        f"@misc{{ref{i:02d}, title = {{Reference {i}}}, year = {{2022}}, doi = {{10.5555/ref{i:02d}}}}}\n"
        for i in range(N_REFS))
    files["references.lock.json"] = lock_text()
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return root


def test_kill_9_during_check_online_never_tears_the_lock(tmp_path):
    server = HTTPServer(host="127.0.0.1", threaded=True)
    seen = []
    last = threading.Event()

    def slow(request):
        time.sleep(0.05)  # a slow registry: the kill lands while requests are under way
        doi = request.path.rsplit("/", 1)[-1]
        seen.append(doi)
        if len(seen) % N_REFS == 0:
            last.set()
        return Response(json.dumps(crossref_work(DOI=doi, title=["Reference"], volume=None, issue=None, page=None)),
                        content_type="application/json")

    server.expect_request(re.compile("/works/.*")).respond_with_handler(slow)
    server.start()
    try:
        outcomes = []
        # Kill at several points: mid-run, and just after the last answer (when the lock is written).
        for attempt, delay in enumerate([0.0, 0.03, None]):
            root = _repo(tmp_path / f"run{attempt}")
            before = (root / "references.lock.json").read_bytes()
            seen.clear()
            last.clear()
            env = {**os.environ, "GUIDELINE_CROSSREF_URL": server.url_for("").rstrip("/")}
            proc = subprocess.Popen([sys.executable, "-m", "guideline.cli", "check", "--root", str(root), "--online",
                                     "--no-cache", "--edition-date", EDITION.isoformat()],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
            try:
                if delay is None:  # mid-run
                    while len(seen) < N_REFS // 2 and proc.poll() is None:
                        time.sleep(0.01)
                else:
                    last.wait(120)
                    time.sleep(delay)
                proc.send_signal(signal.SIGKILL)
            finally:
                proc.wait(120)
            after = (root / "references.lock.json").read_bytes()
            if after == before:
                outcomes.append("old")
            else:
                data = json.loads(after)  # complete JSON, or this raises
                assert set(data["entries"]) == {f"ref{i:02d}" for i in range(N_REFS)}
                outcomes.append("new")
        print("kill -9 outcomes:", outcomes)
        assert outcomes[-1] == "old"  # killed mid-run: nothing written yet
    finally:
        server.clear()
        server.stop()
