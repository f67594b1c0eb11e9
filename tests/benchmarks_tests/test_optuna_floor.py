"""The Optuna floor run: each storage it compares is the one it names."""

from __future__ import annotations

import sqlite3

import optuna
import pytest

from benchmarks import optuna_floor


@pytest.mark.parametrize(
    ("mode", "journal"),
    [("sqlite_rollback_journal", "delete"), ("sqlite_wal", "wal"), ("in_memory", None)],
)
def test_each_mode_times_its_own_storage(mode, journal, tmp_path):
    storage = optuna_floor._storage(mode, str(tmp_path))
    optuna.create_study(storage=storage)
    if journal is None:
        assert isinstance(storage, optuna.storages.InMemoryStorage)
        return
    connection = sqlite3.connect(tmp_path / "floor.db")
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == journal
    connection.close()


def test_a_run_times_every_call_it_makes():
    seconds = optuna_floor.one_run("sqlite_wal", 3)
    assert set(seconds) == {"suggest", "report_and_should_prune", "set_user_attr", "wall"}
    assert seconds["wall"] >= seconds["suggest"] + seconds["set_user_attr"] > 0
