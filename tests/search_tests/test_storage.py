"""Opening storages: the schema race of searches that start together on a new database,
the journal mode of a new SQLite file, and which of its commits wait for the disk."""

from __future__ import annotations

import collections
import pickle
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


def _sync_levels_of_writes(path) -> dict[str, set[int]]:
    """Runs two trials on ``path``; for each table written, the ``PRAGMA synchronous``
    levels its writes committed at (1 NORMAL: no wait for the disk, 2 FULL)."""
    storage = open_storage(f"sqlite:///{path}")
    levels: dict[str, set[int]] = collections.defaultdict(set)

    @sqlalchemy.event.listens_for(storage.engine, "before_cursor_execute")
    def record(connection, cursor, statement, *_):
        words = statement.split()
        if words[0] in ("INSERT", "UPDATE"):
            table = words[2] if words[0] == "INSERT" else words[1]
            levels[table].add(cursor.connection.execute("PRAGMA synchronous").fetchone()[0])

    def objective(trial):
        for step in range(3):
            trial.report(trial.suggest_float(f"x{step}", 0, 1), step)
        trial.set_user_attr("fold_scores", [0.5])
        return 0.5

    study = optuna.create_study(storage=storage, study_name="s")
    study.optimize(objective, n_trials=2)
    return dict(levels)


def test_in_wal_mode_only_a_trials_end_and_the_study_wait_for_the_disk(tmp_path):
    levels = _sync_levels_of_writes(tmp_path / "new.db")
    for running in ("trial_params", "trial_intermediate_values", "trial_user_attributes"):
        assert levels[running] == {1}, running
    assert levels["trials"] == {2}  # created and finished: a finished trial is on disk
    assert levels["studies"] == {2}


def test_a_file_in_the_rollback_journal_waits_for_the_disk_at_every_commit(tmp_path):
    (tmp_path / "old.db").touch()
    levels = _sync_levels_of_writes(tmp_path / "old.db")
    assert set().union(*levels.values()) == {2}  # NORMAL could corrupt it on a power cut


def test_a_storage_sent_to_a_worker_still_skips_syncs_for_running_trials(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    copy = pickle.loads(pickle.dumps(open_storage(url)))
    with copy.commit_sync.unsynced(), copy.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1


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
