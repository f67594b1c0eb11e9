"""Opening storages: the schema race of searches that start together on a new database."""

from __future__ import annotations

import optuna
import pytest
import sqlalchemy.exc

from hpsearch import _storage
from hpsearch._storage import StorageError, open_storage


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
