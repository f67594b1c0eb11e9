"""Opening storages: the schema race of searches that start together on a new database,
and the journal mode of a new SQLite file."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys

import optuna
import pytest
import sqlalchemy.exc

from hpsearch import _storage
from hpsearch._storage import StorageError, open_storage
from tests.helpers import optimize, trials


def _schema_race(monkeypatch, failures: int) -> list[int]:
    """Make the first ``failures`` connections fail as a concurrent schema write does."""
    real = _storage._TrackingRDBStorage
    calls: list[int] = []

    class RacingStorage(real):
        def __init__(self, *args, **kwargs):
            calls.append(1)
            if len(calls) <= failures:
                raise sqlalchemy.exc.IntegrityError(
                    "INSERT INTO alembic_version", {}, Exception("UNIQUE constraint failed")
                )
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(_storage, "_TrackingRDBStorage", RacingStorage)
    return calls


def test_a_schema_written_meanwhile_by_another_search_is_used(monkeypatch, tmp_path):
    calls = _schema_race(monkeypatch, failures=1)
    storage = open_storage(f"sqlite:///{tmp_path / 'new.db'}")
    optuna.create_study(storage=storage, study_name="shared")
    assert len(calls) == 2
    assert [s.study_name for s in optuna.get_all_study_summaries(storage)] == ["shared"]


def test_a_storage_that_keeps_failing_is_one_clear_error(monkeypatch, tmp_path):
    _schema_race(monkeypatch, failures=2)
    with pytest.raises(StorageError, match=r"^cannot open storage 'sqlite:///.*new\.db': "):
        open_storage(f"sqlite:///{tmp_path / 'new.db'}")


def _journal_mode(path) -> str:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        connection.close()


def test_a_new_sqlite_file_is_made_in_wal_mode(tmp_path):
    path = tmp_path / "deep" / "new.db"
    optuna.create_study(storage=open_storage(f"sqlite:///{path}"), study_name="s")
    assert _journal_mode(path) == "wal"


def test_an_existing_sqlite_file_keeps_its_own_journal_mode(tmp_path):
    path = tmp_path / "old.db"
    path.touch()  # the user made it empty, as the README says for a network file system
    optuna.create_study(storage=open_storage(f"sqlite:///{path}"), study_name="s")
    assert _journal_mode(path) == "delete"


def test_a_sqlite_file_that_cannot_be_made_is_one_clear_error(tmp_path):
    folder = tmp_path / "a_folder.db"
    (folder / "x").mkdir(parents=True)  # the path is a folder, not a file
    with pytest.raises(StorageError, match=r"^cannot (create|open storage) 'sqlite:///"):
        open_storage(f"sqlite:///{folder / 'x'}")


_WRITE_THEN_DIE = """
import os, sys, optuna
from hpsearch._storage import open_storage
study = optuna.create_study(storage=open_storage(sys.argv[1]), study_name="s")
study.optimize(lambda trial: trial.suggest_float("x", 0, 1), n_trials=3)
os._exit(0)  # no clean close: the log is not folded into the file
"""


def test_trials_a_killed_process_committed_in_wal_mode_are_all_read_back(tmp_path):
    url = f"sqlite:///{tmp_path / 'killed.db'}"
    subprocess.run([sys.executable, "-c", _WRITE_THEN_DIE, url], check=True)
    assert (tmp_path / "killed.db-wal").stat().st_size > 0  # the trials are in the log only
    study = optuna.load_study(study_name="s", storage=open_storage(url))
    assert [t.state for t in study.trials] == [optuna.trial.TrialState.COMPLETE] * 3


def test_a_command_leaves_the_sqlite_file_whole(runner, tmp_path):
    """Once a command ends, the ``.db`` alone holds the study: a copy of it (a backup, a
    fixture) misses no trial, and no ``-wal`` file is left beside it."""
    result = optimize(runner, f"sqlite:///{tmp_path / 'whole.db'}", "--no-final", trials=2)
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "whole.db-wal").exists()
    shutil.copy(tmp_path / "whole.db", tmp_path / "copy.db")
    assert len(trials(f"sqlite:///{tmp_path / 'copy.db'}")) == 2
