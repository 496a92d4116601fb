"""guideline site: landing page, latest/, banner on older editions; editions untouched."""

from __future__ import annotations

from click.testing import CliRunner

from guideline.cli import main
from guideline.editions import manifest, seal, site, verify


def fake_edition(root, edition_id, status, date, pages=("index.html", "recs/agents.html")):
    """A built edition as the builder leaves it: files, manifest, registry table and (final) seal."""
    folder = root / "build" / "editions" / edition_id
    for page in pages:
        path = folder / "html" / page
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"<html><body class='x'><p>{edition_id} {page}</p></body></html>", encoding="utf-8")
    for kind in ("full", "handout"):
        (folder / f"{edition_id}-{kind}.pdf").write_bytes(b"%PDF-1.7 fake")
    commit = "a" * 40
    manifest.write(folder, {"edition": {"id": edition_id, "date": date, "status": status, "commit": commit,
                                        "summary": f"Summary of {edition_id}."},
                            "source": {"commit": commit, "sha256": "s" * 64}, "renderer": {"id": "test-renderer"}})
    registry_file = root / "docs" / "editions.toml"
    registry_file.parent.mkdir(parents=True, exist_ok=True)
    with registry_file.open("a", encoding="utf-8") as handle:
        handle.write(f'[[edition]]\nid = "{edition_id}"\ndate = "{date}"\nstatus = "{status}"\n'
                     f'commit = "{commit}"\nsummary = "Summary of {edition_id}."\n\n')
    if status == "final":
        files = manifest.read(folder)["files"]
        seal.record(root, root / "build" / "seal.lock", edition_id, commit, "s" * 64, "test-renderer",
                    seal.files_digest(files))
    return folder


def test_site_lists_editions_links_latest_and_banners(tmp_path):
    old = fake_edition(tmp_path, "2024.1", "final", "2024-06-01")
    fake_edition(tmp_path, "2026.1", "final", "2026-03-01", pages=("index.html",))
    fake_edition(tmp_path, "2026.2", "draft", "2026-09-01")
    (tmp_path / "build" / "editions" / ".2026.3.previous").mkdir()  # hidden leftovers are not editions
    result = site.assemble(tmp_path)
    out = tmp_path / "build" / "site"
    assert result["latest"] == "2026.1" and result["editions"] == ["2024.1", "2026.1", "2026.2"]
    landing = (out / "index.html").read_text(encoding="utf-8")
    for ed in ("2024.1", "2026.1", "2026.2"):
        assert f'href="{ed}/html/index.html"' in landing
        assert f'href="{ed}/{ed}-full.pdf"' in landing and f'href="{ed}/{ed}-handout.pdf"' in landing
        assert f"Summary of {ed}." in landing
    assert "DRAFT" in landing and "2024-06-01" in landing
    assert (out / "latest" / "html" / "index.html").read_text(encoding="utf-8").count("2026.1 index.html") == 1
    assert "edition-banner" not in (out / "latest" / "html" / "index.html").read_text(encoding="utf-8")
    # Same page in the newest final edition, or its start page when the page is gone there.
    index = (out / "2024.1" / "html" / "index.html").read_text(encoding="utf-8")
    assert 'class="edition-banner"' in index and 'href="../../2026.1/html/index.html"' in index
    agents = (out / "2024.1" / "html" / "recs" / "agents.html").read_text(encoding="utf-8")
    assert 'href="../../../2026.1/html/index.html"' in agents
    draft = (out / "2026.2" / "html" / "index.html").read_text(encoding="utf-8")
    assert "newer draft" in draft
    # The built editions are not modified: the site holds copies, never links.
    assert verify.verify(old, "2024.1").clean
    assert "edition-banner" not in (old / "html" / "index.html").read_text(encoding="utf-8")
    for page in (out / "latest" / "html" / "index.html", out / "2024.1" / "html" / "recs" / "agents.html",
                 out / "2026.1" / "2026.1-full.pdf"):
        assert page.stat().st_nlink == 1, page


def test_site_is_rebuilt_in_place(tmp_path):
    fake_edition(tmp_path, "2024.1", "final", "2024-06-01")
    site.assemble(tmp_path)
    fake_edition(tmp_path, "2026.1", "final", "2026-03-01")
    site.assemble(tmp_path)
    out = tmp_path / "build" / "site"
    assert (out / "latest" / "2026.1-full.pdf").is_file()
    assert sorted(p.name for p in out.parent.iterdir() if p.name.startswith(".site")) == []


def test_site_without_editions_is_a_finding(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "conf.py").write_text("", encoding="utf-8")
    (tmp_path / "docs" / "editions.toml").write_text("# no edition yet\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["site"], env={"GUIDELINE_ROOT": str(tmp_path)})
    assert result.exit_code == 1 and "[site.no-editions]" in result.output


def run(root, *args):
    result = CliRunner().invoke(main, list(args), env={"GUIDELINE_ROOT": str(root)})
    assert "Traceback" not in result.output, result.output
    return result


def project(tmp_path):
    (tmp_path / "docs").mkdir(exist_ok=True)
    (tmp_path / "docs" / "conf.py").write_text("", encoding="utf-8")


def test_editing_the_site_never_edits_an_edition(tmp_path):
    project(tmp_path)
    final = fake_edition(tmp_path, "2024.1", "final", "2024-06-01")
    assert run(tmp_path, "site").exit_code == 0
    (tmp_path / "build" / "site" / "latest" / "html" / "index.html").write_text("edited", encoding="utf-8")
    (tmp_path / "build" / "site" / "2024.1" / "2024.1-full.pdf").write_bytes(b"edited")
    assert verify.verify(final, "2024.1").clean
    assert run(tmp_path, "edition", "verify", "2024.1").exit_code == 0


def test_site_refuses_an_edition_that_fails_verify(tmp_path):
    project(tmp_path)
    final = fake_edition(tmp_path, "2024.1", "final", "2024-06-01")
    fake_edition(tmp_path, "2026.1", "draft", "2026-03-01")
    assert run(tmp_path, "site").exit_code == 0
    published = (tmp_path / "build" / "site" / "index.html").read_bytes()
    (final / "html" / "index.html").write_text("<html><body>tampered</body></html>", encoding="utf-8")
    result = run(tmp_path, "site")
    assert result.exit_code == 1 and "build/editions/2024.1: [edition.tampered]" in result.output
    assert "modified: html/index.html" in result.output
    assert (tmp_path / "build" / "site" / "index.html").read_bytes() == published  # the old site stays
    # A final edition whose seal is gone is not published either.
    (final / "html" / "index.html").write_text("<html><body class='x'><p>2024.1 index.html</p></body></html>",
                                               encoding="utf-8")
    (tmp_path / "docs" / "editions.lock.json").unlink()
    result = run(tmp_path, "site")
    assert result.exit_code == 1 and "[edition.unsealed]" in result.output


def test_site_output_into_a_missing_or_unwritable_folder(tmp_path):
    project(tmp_path)
    fake_edition(tmp_path, "2024.1", "final", "2024-06-01")
    missing = tmp_path / "no" / "such" / "site"
    assert run(tmp_path, "site", "-o", str(missing)).exit_code == 0  # made with its parents, as build -o does
    assert (missing / "latest" / "html" / "index.html").is_file()
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    for command in (["site", "-o", str(blocked / "site")], ["edition", "pdf", "-o", str(blocked / "pdf")]):
        result = run(tmp_path, *command)
        assert result.exit_code == 1 and "[build.output]" in result.output, result.output
    assert blocked.read_text(encoding="utf-8") == "not a folder"


def test_site_never_replaces_a_folder_it_did_not_make(tmp_path):
    project(tmp_path)
    fake_edition(tmp_path, "2024.1", "final", "2024-06-01")
    result = run(tmp_path, "site", "-o", str(tmp_path / "docs"))
    assert result.exit_code == 2 and "[usage.not-a-site]" in result.output
    assert (tmp_path / "docs" / "conf.py").is_file() and (tmp_path / "docs" / "editions.toml").is_file()
    elsewhere = tmp_path / "published"
    assert run(tmp_path, "site", "-o", str(elsewhere)).exit_code == 0
    assert run(tmp_path, "site", "-o", str(elsewhere)).exit_code == 0  # its own earlier site is replaced
    assert (elsewhere / "latest" / "html" / "index.html").is_file()
