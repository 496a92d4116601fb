"""write_atomic: complete replacement, no temporary left behind, old file kept on failure."""

from __future__ import annotations

import pytest

from guideline.atomic import write_atomic


def test_replaces_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "lock.json"
    target.write_text("old", encoding="utf-8")
    write_atomic(target, "new ü")
    assert target.read_text(encoding="utf-8") == "new ü"
    assert [p.name for p in tmp_path.iterdir()] == ["lock.json"]


def test_failure_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "lock.json"
    target.write_bytes(b"old")

    def broken(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr("guideline.atomic.os.replace", broken)
    with pytest.raises(OSError):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["lock.json"]
