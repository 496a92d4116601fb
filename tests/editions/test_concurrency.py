"""Two real processes building editions at once: both correct, or the second refused untouched.

The order of events is forced with marker files, never with sleeps: the first build stops at a
stage and waits until the test lets it go.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from guideline.editions import build, locks, verify

PAUSED_BUILD = """
import sys, time
from pathlib import Path
from guideline.editions.build import build_edition
from guideline.errors import GuidelineError

root, edition, stage, ready, go = sys.argv[1:6]

def hook(name):
    if name == stage:
        Path(ready).write_text("ready")
        deadline = time.monotonic() + 600
        while not Path(go).exists() and time.monotonic() < deadline:
            time.sleep(0.05)

try:
    print(build_edition(Path(root), edition, pdf=False, hook=hook).outcome)
except GuidelineError as exc:
    print(exc)
    sys.exit(1)
"""


def cli(repo, *args):
    env = {**os.environ, "GUIDELINE_ROOT": str(repo.root)}
    return subprocess.run([sys.executable, "-m", "guideline.cli", *args], capture_output=True, text=True, env=env,
                          check=False)


class Paused:
    """A build in its own process, held at ``stage`` until :meth:`release`."""

    def __init__(self, repo, edition: str, stage: str, tmp: Path) -> None:
        self.ready, self.go = tmp / f"ready-{edition}", tmp / f"go-{edition}"
        self.proc = subprocess.Popen([sys.executable, "-c", PAUSED_BUILD, str(repo.root), edition, stage,
                                      str(self.ready), str(self.go)], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 600
        while not self.ready.exists() and self.proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert self.ready.exists(), self.proc.communicate()

    def release(self) -> tuple[int, str]:
        self.go.write_text("go")
        out, err = self.proc.communicate(timeout=900)
        return self.proc.returncode, out + err


@pytest.fixture
def two_editions(fixture_repo):
    repo = fixture_repo
    repo.set_rec_text("Do the thing twice.", grade="C")
    second = repo.commit("second edition")
    repo.registry(("2024.1", "2024-06-01", "final", repo.first), ("2026.1", "2026-01-01", "draft", second))
    return repo


def test_builds_at_once_leave_both_correct_or_refuse_the_second_untouched(two_editions, tmp_path):
    repo = two_editions
    # Held once its work folder holds the exported content; it then reads 2024.1 as built meanwhile.
    first = Paused(repo, "2026.1", "exported", tmp_path)
    try:
        work = sorted(p for p in locks.tmp_root(repo.root).iterdir() if p.is_dir())
        same = cli(repo, "edition", "build", "2026.1")  # same id: refused before it touches anything
        assert same.returncode == 1 and "[edition.busy]" in same.stderr and "Traceback" not in same.stderr
        assert sorted(p for p in locks.tmp_root(repo.root).iterdir() if p.is_dir()) == work
        assert not (repo.editions / "2026.1").exists()
        other = cli(repo, "edition", "build", "2024.1")  # another id: runs beside it (its cleanup once crashed the first)
        assert other.returncode == 0, other.stderr
        code, output = first.release()
    finally:
        if first.proc.poll() is None:
            first.proc.kill()
    assert code == 0 and "built" in output, output
    for edition_id in ("2024.1", "2026.1"):
        assert verify.verify(repo.editions / edition_id, edition_id).clean
        assert cli(repo, "edition", "verify", edition_id).returncode == 0
    assert not [p for p in locks.tmp_root(repo.root).iterdir() if p.is_dir()]


def test_stale_cleanup_keeps_live_work_folders_and_removes_dead_ones(tmp_path):
    root = tmp_path
    base = locks.tmp_root(root)
    base.mkdir(parents=True)
    dead = base / "work-0123456789abcdef"
    dead.mkdir()
    (base / "work-0123456789abcdef.lock").write_text("")  # nobody holds it: its process is gone
    legacy = base / "2026.1.4242.x1y2"  # a folder named by an older toolchain (year looks like a pid)
    legacy.mkdir()
    with locks.work_folder(root) as live:
        removed = build.clean_stale(root)
        assert live.is_dir()
        assert sorted(removed) == sorted([dead, legacy])
        assert not dead.exists() and not legacy.exists()
    assert not live.exists()
