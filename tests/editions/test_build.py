"""Building editions from commits: atomic, immutable when final, verifiable, stamped."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from guideline.cli import main
from guideline.editions import build, verify
from guideline.errors import GuidelineError

from .conftest import git


def build_it(repo, edition_id="2024.1", **kwargs):
    return build.build_edition(repo.root, edition_id, pdf=False, **kwargs)


def test_builds_from_the_commit_not_the_working_tree(fixture_repo):
    repo = fixture_repo
    repo.registry(("2024.1", "2024-06-01", "draft", repo.first))
    repo.set_rec_text("Uncommitted words that must not appear.")
    result = build_it(repo)
    assert result.outcome == "built"
    out = repo.editions / "2024.1"
    html = (out / "html" / "index.html").read_text(encoding="utf-8")
    assert "Do the thing." in html and "Uncommitted words" not in html
    for name in ("needs.json", "manifest.json", "validator-report.json", "whats-new.json"):
        assert (out / name).is_file(), name
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert data["source"]["commit"] == repo.first
    assert data["toolchain"]["versions"]["sphinx-needs"]
    assert data["counts"]["recommendations"] == 1 and data["counts"]["claims_verified"] == 1
    assert set(data["files"]) >= {"needs.json", "html/index.html"}


def test_every_html_page_carries_the_stamp(fixture_repo):
    repo = fixture_repo
    repo.registry(("2024.1", "2024-06-01", "draft", repo.first))
    build_it(repo)
    pages = list((repo.editions / "2024.1" / "html").rglob("*.html"))
    assert len(pages) >= 4
    for page in pages:
        text = page.read_text(encoding="utf-8")
        if 'http-equiv="refresh"' in text:
            continue
        assert 'data-edition="2024.1"' in text, page
        assert "Edition 2024.1 \u00b7 2024-06-01 \u00b7 DRAFT" in text, page


def test_whats_new_page_is_generated(fixture_repo):
    repo = fixture_repo
    repo.set_rec_text("Do the thing twice.", grade="C")
    second = repo.commit("second edition")
    repo.registry(("2024.1", "2024-06-01", "final", repo.first), ("2026.1", "2026-01-01", "draft", second))
    build_it(repo, "2026.1")  # 2024.1 is not built: its needs come from a build of its commit
    page = (repo.editions / "2026.1" / "html" / "whats-new.html").read_text(encoding="utf-8")
    assert "Panel notes." in page and "since edition 2024.1" in page
    assert "grade A \u2192 C" in page and 'class="diff-added"' in page
    change = json.loads((repo.editions / "2026.1" / "whats-new.json").read_text(encoding="utf-8"))
    assert change["recommendations"]["changed"][0]["id"] == "REC_USE_01"
    assert change["history"]["REC_USE_01"]["changed_in"] == ["2026.1"]


def test_unknown_commit_is_refused_clearly(fixture_repo):
    repo = fixture_repo
    repo.registry(("2024.1", "2024-06-01", "final", "deadbeef" * 5))
    with pytest.raises(GuidelineError) as info:
        build_it(repo)
    assert info.value.rule == "edition.unknown-commit" and "deadbeef" in info.value.message
    result = CliRunner().invoke(main, ["edition", "build", "2024.1"], env={"GUIDELINE_ROOT": str(repo.root)})
    assert result.exit_code == 1 and "[edition.unknown-commit]" in result.output
    assert "Traceback" not in result.output
    assert not (repo.editions / "2024.1").exists()


@pytest.mark.parametrize("bad", ["../etc", "2024.1/..", "x"])
def test_cli_refuses_bad_ids(fixture_repo, bad):
    fixture_repo.registry(("2024.1", "2024-06-01", "final", fixture_repo.first))
    for command in (["edition", "build", bad], ["edition", "verify", bad]):
        result = CliRunner().invoke(main, command, env={"GUIDELINE_ROOT": str(fixture_repo.root)})
        assert result.exit_code == 1 and "[edition.bad-id]" in result.output, result.output


def test_rebuild_is_byte_identical_and_final_is_never_overwritten(fixture_repo):
    repo = fixture_repo
    repo.registry(("2024.1", "2024-06-01", "final", repo.first))
    build_it(repo)
    before = (repo.editions / "2024.1" / "manifest.json").read_text(encoding="utf-8")
    assert build_it(repo).outcome == "unchanged"  # deterministic need container ids, no timestamps
    repo.set_rec_text("Different advice.")
    other = repo.commit("changed content")
    repo.registry(("2024.1", "2024-06-01", "final", other))
    with pytest.raises(GuidelineError) as info:
        build_it(repo)
    assert info.value.rule == "edition.sealed-commit"  # the seal, not build/, pins a final edition's commit
    assert (repo.editions / "2024.1" / "manifest.json").read_text(encoding="utf-8") == before
    assert verify.verify(repo.editions / "2024.1", "2024.1").clean


def test_a_draft_is_replaced(fixture_repo):
    repo = fixture_repo
    repo.registry(("2024.1", "2024-06-01", "draft", repo.first))
    build_it(repo)
    repo.set_rec_text("Revised draft advice.")
    repo.registry(("2024.1", "2024-06-01", "draft", repo.commit("revised draft")))
    assert build_it(repo).outcome == "replaced"
    assert "Revised draft advice." in (repo.editions / "2024.1" / "html" / "index.html").read_text(encoding="utf-8")
    assert not list(repo.editions.glob(".*"))


def _built_then_changed(repo, text: str) -> bytes:
    """Build draft 2024.1, then commit new content for it; returns the built manifest."""
    repo.registry(("2024.1", "2024-06-01", "draft", repo.first))
    build_it(repo)
    before = (repo.editions / "2024.1" / "manifest.json").read_bytes()
    repo.set_rec_text(text)
    repo.registry(("2024.1", "2024-06-01", "draft", repo.commit("next")))
    return before


def _no_partials(repo) -> None:
    assert sorted(p.name for p in repo.editions.iterdir()) == ["2024.1"]
    leftovers = [p for p in (repo.root / "build" / ".editions-tmp").iterdir() if p.is_dir()]
    assert leftovers == []


@pytest.mark.parametrize("stage", ["exported", "html", "html-done", "validator", "manifest"])
def test_failure_mid_build_leaves_the_previous_edition_intact(fixture_repo, stage):
    repo = fixture_repo
    before = _built_then_changed(repo, "A build that never finishes.")

    def fail(name: str) -> None:
        if name == stage:
            raise RuntimeError(f"simulated crash at {name}")

    with pytest.raises(RuntimeError):
        build_it(repo, hook=fail)
    assert (repo.editions / "2024.1" / "manifest.json").read_bytes() == before
    assert verify.verify(repo.editions / "2024.1", "2024.1").clean
    _no_partials(repo)


CHILD = """
import sys, time
from pathlib import Path
from guideline.editions.build import build_edition

def hook(name):
    if name == "html-done":
        Path(sys.argv[2]).write_text("ready")
        time.sleep(120)

build_edition(Path(sys.argv[1]), "2024.1", pdf=False, hook=hook)
"""


def test_kill_9_mid_build_leaves_the_previous_edition_intact(fixture_repo, tmp_path):
    repo = fixture_repo
    before = _built_then_changed(repo, "Killed before it lands.")
    marker = tmp_path / "ready"
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(repo.root), str(marker)])
    try:
        deadline = time.monotonic() + 120
        while not marker.exists() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert marker.exists(), "the child build never reached the HTML stage"
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    finally:
        if child.poll() is None:
            child.kill()
    assert (repo.editions / "2024.1" / "manifest.json").read_bytes() == before
    assert verify.verify(repo.editions / "2024.1", "2024.1").clean
    assert sorted(p.name for p in repo.editions.iterdir()) == ["2024.1"]
    # The dead build's temporary folder (hidden, outside build/editions) goes with the next run.
    build.clean_stale(repo.root)
    _no_partials(repo)
    assert "Killed before it lands." in (build_it(repo).path / "html" / "index.html").read_text(encoding="utf-8")


def test_verify_reports_modified_missing_and_extra(fixture_repo):
    repo = fixture_repo
    repo.registry(("2024.1", "2024-06-01", "final", repo.first))
    build_it(repo)
    out = repo.editions / "2024.1"
    runner = CliRunner()
    env = {"GUIDELINE_ROOT": str(repo.root)}
    clean = runner.invoke(main, ["edition", "verify", "2024.1"], env=env)
    assert clean.exit_code == 0 and "files verified" in clean.output
    (out / "html" / "index.html").write_text("tampered", encoding="utf-8")
    (out / "needs.json").unlink()
    (out / "html" / "extra.html").write_text("added", encoding="utf-8")
    report = verify.verify(out, "2024.1")
    assert report.modified == ["html/index.html"]
    assert report.missing == ["needs.json"]
    assert report.extra == ["html/extra.html"]
    tampered = runner.invoke(main, ["edition", "verify", "2024.1"], env=env)
    assert tampered.exit_code == 1
    assert "modified: html/index.html" in tampered.output and "missing: needs.json" in tampered.output
    assert "extra: html/extra.html" in tampered.output


def test_verify_of_an_unbuilt_edition_is_a_finding(fixture_repo):
    fixture_repo.registry(("2030.1", "2030-06-01", "draft", fixture_repo.first))
    result = CliRunner().invoke(main, ["edition", "verify", "2030.1"], env={"GUIDELINE_ROOT": str(fixture_repo.root)})
    assert result.exit_code == 1 and "[edition.no-manifest]" in result.output
    unknown = CliRunner().invoke(main, ["edition", "verify", "2031.1"], env={"GUIDELINE_ROOT": str(fixture_repo.root)})
    assert unknown.exit_code == 1 and "[edition.unknown]" in unknown.output


def test_second_concurrent_build_is_refused(fixture_repo):
    import fcntl

    repo = fixture_repo
    repo.registry(("2024.1", "2024-06-01", "draft", repo.first))
    lock_dir = repo.root / "build" / ".editions-tmp"
    lock_dir.mkdir(parents=True)
    with (lock_dir / "2024.1.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        with pytest.raises(GuidelineError) as info:
            build_it(repo)
    assert info.value.rule == "edition.busy"


def test_git_is_untouched(fixture_repo):
    repo = fixture_repo
    repo.registry(("2024.1", "2024-06-01", "draft", repo.first))
    status_before = git(repo.root, "status", "--porcelain")
    build_it(repo)
    assert git(repo.root, "status", "--porcelain") == status_before
    assert git(repo.root, "worktree", "list").count("\n") == 0
    assert Path(repo.root / "docs" / "editions.toml").is_file()
