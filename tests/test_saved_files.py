"""Saved profiles and dedup indexes: a file cut at any byte, with any byte changed or with bytes
appended raises ValueError naming the file (never a crash, never a different profile or
index); a file that cannot be read raises OSError. The Rust twin is tests/saved_files.rs."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES

import newsclean


def damaged(good: bytes):
    """Every prefix, every byte flipped, one byte appended: (what, bytes)."""
    for cut in range(len(good)):
        yield f"cut at {cut}", good[:cut]
    for at in range(len(good)):
        bad = bytearray(good)
        bad[at] ^= 0x01
        yield f"byte {at} ^ 0x01", bytes(bad)
    yield "one byte appended", good + b"\n"


def check_every_damage(tmp_path: Path, good: bytes, load) -> None:
    path = tmp_path / "damaged.bin"
    for what, data in damaged(good):
        path.write_bytes(data)
        with pytest.raises(ValueError, match="damaged.bin") as err:
            load(path)
        assert type(err.value) is ValueError, what


def test_damaged_profiles_raise_value_errors(tmp_path):
    texts = [f"Home\nStory {i} about the ferry.\nShare on X" for i in range(6)]
    prof = newsclean.Profile.learn(texts, sites=["a.example", "b.example"] * 3)
    prof.prune(2)
    path = tmp_path / "good.ncprof"
    prof.save(path)
    good = path.read_bytes()
    back = newsclean.Profile.load(path)
    assert back.sites == prof.sites and back.top_lines("a.example") == prof.top_lines("a.example")
    check_every_damage(tmp_path, good, newsclean.Profile.load)
    # The old format (version 1, no checksum) is refused with a message, not guessed at.
    old = bytearray(good)
    old[8] = 1
    (tmp_path / "v1.ncprof").write_bytes(bytes(old))
    with pytest.raises(ValueError, match="v1.ncprof.*version 1; this build reads version 2 only"):
        newsclean.Profile.load(tmp_path / "v1.ncprof")


def test_damaged_dedup_indexes_raise_value_errors(tmp_path):
    good = (FIXTURES / "dedup_index_v2.ncdedup").read_bytes()
    check_every_damage(tmp_path, good, newsclean.DedupIndex.load)
    with pytest.raises(OSError):
        newsclean.DedupIndex.load(tmp_path)  # a directory
    with pytest.raises(OSError):
        newsclean.Profile.load(tmp_path)
