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


def test_building_2024_1_while_2026_1_builds_leaves_both_correct(two_editions, tmp_path):
    repo = two_editions
    # Held once its work folder holds the exported content; it then reads 2024.1 as built meanwhile.
    first = Paused(repo, "2026.1", "exported", tmp_path)
    try:
        other = cli(repo, "edition", "build", "2024.1")
        assert other.returncode == 0, other.stderr
        assert "Traceback" not in other.stderr
        code, output = first.release()
    finally:
        if first.proc.poll() is None:
            first.proc.kill()
    assert code == 0 and "built" in output, output
    for edition_id in ("2024.1", "2026.1"):
        assert verify.verify(repo.editions / edition_id, edition_id).clean
    assert cli(repo, "edition", "verify", "2024.1").returncode == 0
    assert not [p for p in locks.tmp_root(repo.root).iterdir() if p.is_dir()]


def test_a_second_build_of_the_same_edition_is_refused_before_it_touches_anything(two_editions, tmp_path):
    repo = two_editions
    first = Paused(repo, "2024.1", "validator", tmp_path)
    try:
        work = [p for p in locks.tmp_root(repo.root).iterdir() if p.is_dir()]
        second = cli(repo, "edition", "build", "2024.1")
        assert second.returncode == 1 and "[edition.busy]" in second.stderr and "Traceback" not in second.stderr
        assert [p for p in locks.tmp_root(repo.root).iterdir() if p.is_dir()] == work  # the first one's folder
        assert not (repo.editions / "2024.1").exists()
        code, output = first.release()
    finally:
        if first.proc.poll() is None:
            first.proc.kill()
    assert code == 0 and "built" in output, output
    assert verify.verify(repo.editions / "2024.1", "2024.1").clean


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
