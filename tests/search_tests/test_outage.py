"""A database outage mid-search: the search waits for it, and no trial is left RUNNING."""

from __future__ import annotations

import optuna
import pytest
import sqlalchemy.exc
from optuna.trial import TrialState

from hpsearch._outage import riding_out_outages
from hpsearch._storage import StorageError, open_storage


def _outage() -> sqlalchemy.exc.OperationalError:
    return sqlalchemy.exc.OperationalError("SELECT 1", {}, Exception("server closed"))


@pytest.fixture
def url(tmp_path, monkeypatch):
    monkeypatch.setenv("HPSEARCH_OUTAGE_SECONDS", "1")
    url = f"sqlite:///{tmp_path / 'study.db'}"
    optuna.create_study(study_name="s", storage=open_storage(url))
    return url


def test_a_trial_that_lost_the_database_before_its_process_id_is_failed_and_queued(url):
    study = optuna.load_study(study_name="s", storage=open_storage(url))
    elsewhere = optuna.load_study(study_name="s", storage=open_storage(url))
    others = elsewhere.ask()  # another process's trial, between creation and its first write
    calls = []

    def run():
        calls.append(study.ask().number)  # created, then the database goes away
        if len(calls) == 1:
            raise _outage()
        return "done"

    assert riding_out_outages(study, run) == "done"
    trials = study.get_trials()
    assert trials[calls[0]].state == TrialState.FAIL  # ours: failed, queued again, and the
    assert trials[calls[1]].system_attrs["failed_trial"] == calls[0]  # next run took the copy
    assert trials[others.number].state == TrialState.RUNNING  # another process's: left alone


def test_a_database_that_stays_away_ends_in_one_line(url):
    study = optuna.load_study(study_name="s", storage=open_storage(url))

    def run():
        raise _outage()

    with pytest.raises(StorageError, match="not back within 1 s"):
        riding_out_outages(study, run)
