"""Published editions stay published: the registry and the tracked seal decide, never build/.

Every case starts from one fixture repository with final edition 2024.1 built and sealed (made once
per module, copied per test), so each test costs at most one more build.
"""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from guideline.cli import main
from guideline.editions import build, seal, verify
from guideline.errors import GuidelineError

from .conftest import FixtureRepo, fixture_repo  # noqa: F401  (fixture used by the template)

LOCK = "docs/editions.lock.json"


@pytest.fixture(scope="module")
def sealed_template(tmp_path_factory):
    """A fixture repo: commit 1 is final 2024.1 (built, sealed), commit 2 is draft 2026.1 (not built)."""
    from .conftest import ROOTS, git  # noqa: F401

    base = tmp_path_factory.mktemp("sealed")
    repo = _make_repo(base)
    repo.registry(("2024.1", "2024-06-01", "final", repo.first))
    result = build.build_edition(repo.root, "2024.1", pdf=False)
    assert result.outcome == "built" and result.sealed
    repo.set_rec_text("Do the thing twice.", grade="C")
    repo.second = repo.commit("second edition")
    repo.registry(("2024.1", "2024-06-01", "final", repo.first), ("2026.1", "2026-01-01", "draft", repo.second))
    return repo


def _make_repo(base):
    # The conftest fixture is function-scoped; build the same repository by calling it directly.
    return fixture_repo.__wrapped__(base)


@pytest.fixture
def repo(sealed_template, tmp_path) -> FixtureRepo:
    copy = FixtureRepo(tmp_path / "repo")
    shutil.copytree(sealed_template.root, copy.root, symlinks=True)
    copy.first, copy.second = sealed_template.first, sealed_template.second
    return copy


def cli(repo, *args):
    result = CliRunner().invoke(main, list(args), env={"GUIDELINE_ROOT": str(repo.root)})
    assert "Traceback" not in result.output, result.output
    return result


def snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def edition(repo):
    return repo.editions / "2024.1"


def test_the_seal_is_written_atomically_and_names_commit_source_and_rendering(repo):
    data = json.loads((repo.root / LOCK).read_text(encoding="utf-8"))
    entry = data["editions"]["2024.1"]
    assert entry["commit"] == repo.first and len(entry["source"]) == 64
    manifest = json.loads((edition(repo) / "manifest.json").read_text(encoding="utf-8"))
    assert entry["renderings"] == {manifest["renderer"]["id"]: seal.files_digest(manifest["files"])}
    assert manifest["source"]["sha256"] == entry["source"]
    assert not list((repo.root / "docs").glob(".editions.lock.json.*"))  # no temporary file left
    assert cli(repo, "edition", "verify", "2024.1").exit_code == 0


def test_deleted_manifest_and_another_commit_do_not_replace_a_final_edition(repo):
    (edition(repo) / "manifest.json").unlink()
    before = snapshot(edition(repo))
    repo.registry(("2024.1", "2024-06-01", "final", repo.second))
    result = cli(repo, "edition", "build", "2024.1")
    assert result.exit_code == 1 and "docs/editions.toml:2: [edition.sealed-commit]" in result.output
    repo.registry(("2024.1", "2024-06-01", "final", repo.first))
    result = cli(repo, "edition", "build", "2024.1")
    assert result.exit_code == 1 and "[edition.tampered]" in result.output and "unchanged" not in result.output
    assert snapshot(edition(repo)) == before


def test_manifest_status_draft_does_not_make_a_final_edition_a_draft(repo):
    path = edition(repo) / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["edition"]["status"] = "draft"
    path.write_text(json.dumps(data), encoding="utf-8")
    before = snapshot(edition(repo))
    result = cli(repo, "edition", "build", "2024.1")
    assert result.exit_code == 1 and "[edition.tampered]" in result.output
    assert "manifest.json says status 'draft', the registry 'final'" in result.output
    # Making it a draft in the registry too (and pointing it elsewhere) is refused by the seal.
    repo.registry(("2024.1", "2024-06-01", "draft", repo.second))
    result = cli(repo, "edition", "build", "2024.1")
    assert result.exit_code == 1 and "docs/editions.toml:2: [edition.sealed-final]" in result.output
    assert snapshot(edition(repo)) == before


def test_a_file_edited_with_its_hash_is_caught_and_never_rebuilt_over(repo):
    page = edition(repo) / "html" / "index.html"
    page.write_text("<html><body>tampered</body></html>", encoding="utf-8")
    path = edition(repo) / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["files"]["html/index.html"] = build.manifest.sha256(page)
    path.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
    assert verify.verify(edition(repo), "2024.1").clean  # the manifest alone is fooled...
    result = cli(repo, "edition", "verify", "2024.1")  # ...the seal is not
    assert result.exit_code == 1 and "[edition.tampered]" in result.output
    assert "manifest.json's file hashes are not the sealed ones" in result.output
    result = cli(repo, "edition", "build", "2024.1")
    assert result.exit_code == 1 and "[edition.tampered]" in result.output and "unchanged" not in result.output
    assert page.read_text(encoding="utf-8") == "<html><body>tampered</body></html>"  # kept for inspection


def test_verify_reports_symlinks_and_empty_folders(repo):
    (edition(repo) / "html" / "passwd").symlink_to("/etc/passwd")
    (edition(repo) / "html" / "empty").mkdir()
    result = cli(repo, "edition", "verify", "2024.1")
    assert result.exit_code == 1
    assert "symlink: html/passwd -> /etc/passwd" in result.output
    assert "empty folder: html/empty" in result.output


@pytest.mark.parametrize(("content", "line"), [(b'{"edition": {}, "files": {\n  "a": 1,,\n}', 2),
                                               (b'{"files": {},\n "x": "\xff\xfe"}', 2),
                                               (b"[]", 1)])
def test_a_corrupt_manifest_is_a_finding_everywhere(repo, content, line):
    (edition(repo) / "manifest.json").write_bytes(content)
    before = snapshot(edition(repo))
    for command in (["edition", "verify", "2024.1"], ["site"]):
        result = cli(repo, *command)
        assert result.exit_code == 1, command
        assert f"build/editions/2024.1/manifest.json:{line}: [edition.bad-manifest]" in result.output, result.output
    result = cli(repo, "edition", "build", "2024.1")
    assert result.exit_code == 1 and "[edition.tampered]" in result.output
    assert snapshot(edition(repo)) == before
    # A draft reading it as a predecessor stops too, rather than trusting it.
    result = cli(repo, "edition", "build", "2026.1")
    assert result.exit_code == 1 and "[edition.bad-manifest]" in result.output
    assert not (repo.editions / "2026.1").exists()


def test_a_tampered_predecessor_is_not_sealed_into_the_next_edition(repo):
    needs = edition(repo) / "needs.json"
    needs.write_text(needs.read_text(encoding="utf-8").replace("Use it", "Never use it"), encoding="utf-8")
    repo.registry(("2024.1", "2024-06-01", "final", repo.first), ("2026.1", "2026-01-01", "final", repo.second))
    result = cli(repo, "edition", "build", "2026.1")
    assert result.exit_code == 1 and "build/editions/2024.1: [edition.tampered]" in result.output
    assert "modified: needs.json" in result.output
    assert not (repo.editions / "2026.1").exists()
    assert "2026.1" not in json.loads((repo.root / LOCK).read_text(encoding="utf-8"))["editions"]


def test_a_fresh_clone_rebuilds_the_sealed_bytes_and_refuses_others(repo, monkeypatch):
    sealed = snapshot(edition(repo))
    shutil.rmtree(edition(repo))  # as in a fresh clone: build/ is not tracked
    lock_before = (repo.root / LOCK).read_bytes()
    assert build.build_edition(repo.root, "2024.1", pdf=False).outcome == "built"
    assert snapshot(edition(repo)) == sealed and (repo.root / LOCK).read_bytes() == lock_before
    # Same source, same renderer, other bytes: refused, nothing installed.
    shutil.rmtree(edition(repo))
    real = build.normalise_needs_json

    def drifting(path, date):
        real(path, date)
        path.write_text(path.read_text(encoding="utf-8") + " ", encoding="utf-8")

    monkeypatch.setattr(build, "normalise_needs_json", drifting)
    with pytest.raises(GuidelineError) as info:
        build.build_edition(repo.root, "2024.1", pdf=False)
    assert info.value.rule == "edition.final-differs" and "sealed for the same renderer" in info.value.message
    assert not edition(repo).exists() and (repo.root / LOCK).read_bytes() == lock_before


def test_a_new_renderer_adds_a_rendering_and_never_changes_the_old(repo, monkeypatch):
    shutil.rmtree(edition(repo))
    old = json.loads((repo.root / LOCK).read_text(encoding="utf-8"))["editions"]["2024.1"]
    real = build.reproducible.renderer
    monkeypatch.setattr(build.reproducible, "renderer", lambda pdf=True: {**real(pdf), "id": "newer-toolchain"})
    result = build.build_edition(repo.root, "2024.1", pdf=False)
    assert result.outcome == "built" and result.sealed
    new = json.loads((repo.root / LOCK).read_text(encoding="utf-8"))["editions"]["2024.1"]
    assert new["commit"] == old["commit"] and new["source"] == old["source"]
    assert new["renderings"] == {**old["renderings"], "newer-toolchain": next(iter(old["renderings"].values()))}


def test_the_seal_keeps_a_final_edition_in_the_registry(repo):
    repo.registry(("2026.1", "2026-01-01", "draft", repo.second))
    result = cli(repo, "edition", "list")
    assert result.exit_code == 1 and "[edition.sealed-missing]" in result.output


@pytest.mark.parametrize(("content", "line"), [(b'{"format": 1,\n "editions": {,}}', 2),
                                               (b'{"format": 1,\n\n "editions": "\xff"}', 3),
                                               (b'{"format": 1, "editions": {\n"2024.1": {"commit": 1}}}', 2),
                                               (b'{"format": 1, "editions": {\n"2024.01": {}}}', 2)])
def test_a_corrupt_lock_is_a_finding(repo, content, line):
    (repo.root / LOCK).write_bytes(content)
    for command in (["edition", "build", "2024.1"], ["edition", "verify", "2024.1"], ["site"]):
        result = cli(repo, *command)
        assert result.exit_code == 1 and f"{LOCK}:{line}: [edition.lock-syntax]" in result.output, result.output


def test_a_draft_becomes_final_by_the_registry_and_is_sealed(repo):
    assert build.build_edition(repo.root, "2026.1", pdf=False).outcome == "built"
    repo.registry(("2024.1", "2024-06-01", "final", repo.first), ("2026.1", "2026-01-01", "final", repo.second))
    result = build.build_edition(repo.root, "2026.1", pdf=False)
    assert result.outcome == "replaced" and result.sealed  # the draft build gives way to the final one
    assert "2026.1" in json.loads((repo.root / LOCK).read_text(encoding="utf-8"))["editions"]
    assert "DRAFT" not in (repo.editions / "2026.1" / "html" / "index.html").read_text(encoding="utf-8")
    assert cli(repo, "edition", "verify", "2026.1").exit_code == 0
    assert build.build_edition(repo.root, "2026.1", pdf=False).outcome == "unchanged"
