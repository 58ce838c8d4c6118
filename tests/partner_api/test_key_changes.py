"""The counter of key changes: one file mapped by every process, or this process's own."""

from __future__ import annotations

from pathlib import Path

from qudao.db import key_changes


def test_the_counter_is_shared_through_its_file(tmp_path: Path) -> None:
    one = key_changes.KeyChanges(tmp_path / key_changes.FILE_NAME)
    other = key_changes.KeyChanges(tmp_path / key_changes.FILE_NAME)
    one.bump()
    other.bump()
    assert one.value() == other.value() == 2


def test_an_in_memory_database_keeps_the_counter_in_this_process(tmp_path: Path) -> None:
    alone = key_changes.use("sqlite://", tmp_path)
    assert alone is not None
    assert alone.path is None
    assert not (tmp_path / key_changes.FILE_NAME).exists()
    start = alone.value()
    alone.bump()
    assert alone.value() == start + 1


def test_a_data_directory_that_cannot_hold_the_file_turns_the_cache_off(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the data directory should be")
    assert key_changes.use(f"sqlite:///{tmp_path / 'other.db'}", blocked) is None
