"""A running trial's writes held in its process: what another reader sees, when, and how
many transactions they take."""

from __future__ import annotations

import contextlib
import os

import optuna
import sqlalchemy
from sklearn.datasets import load_breast_cancer

import hpsearch
from hpsearch._held_writes import commit_held, holding
from hpsearch._storage import open_storage
from tests import test_api as api
from tests.helpers import optimize, trials


def _write_some(trial: optuna.Trial) -> None:
    for step in range(3):
        trial.report(trial.suggest_float(f"x{step}", 0, 1), step)
    trial.set_user_attr("fold_scores", [0.1])
    trial.set_user_attr("fold_scores", [0.1, 0.2])  # the last value is the one kept


def _elsewhere(url: str) -> optuna.trial.FrozenTrial:
    """The study's only trial as another process reads it."""
    return optuna.load_study(study_name="s", storage=url).trials[0]


def _asked(tmp_path) -> tuple[str, optuna.Study, optuna.Trial]:
    """A SQLite file's URL, a study on it and its first trial, asked and running."""
    url = f"sqlite:///{tmp_path / 'h.db'}"
    study = optuna.create_study(study_name="s", storage=open_storage(url))
    return url, study, study.ask()


def test_held_writes_reach_other_readers_only_when_committed(tmp_path):
    url, study, trial = _asked(tmp_path)
    with holding(trial):
        _write_some(trial)
        assert trial.params.keys() == {"x0", "x1", "x2"}  # the trial itself sees its own
        seen = _elsewhere(url)
        assert (seen.params, seen.intermediate_values, seen.user_attrs) == ({}, {}, {})
        commit_held(trial)
        seen = _elsewhere(url)
        assert seen.params == trial.params
        assert seen.intermediate_values == {0: trial.params["x0"], 1: trial.params["x1"],
                                            2: trial.params["x2"]}  # fmt: skip
        assert seen.user_attrs == {"fold_scores": [0.1, 0.2]}
        trial.set_user_attr("rss_mib", 5.0)
    assert _elsewhere(url).user_attrs["rss_mib"] == 5.0  # committed as the block ends


def test_a_trial_told_while_held_ends_with_everything_it_wrote(tmp_path):
    url, study, trial = _asked(tmp_path)
    with holding(trial):
        _write_some(trial)
        study.tell(trial, 0.5)
    seen = _elsewhere(url)
    assert seen.state == optuna.trial.TrialState.COMPLETE
    assert len(seen.params) == 3 and len(seen.intermediate_values) == 3


def test_held_writes_take_one_transaction_per_commit(tmp_path):
    storage = open_storage(f"sqlite:///{tmp_path / 'h.db'}")
    study = optuna.create_study(study_name="s", storage=storage)
    commits, wrote = [], []  # transactions that wrote something

    @sqlalchemy.event.listens_for(storage.engine, "before_cursor_execute")
    def note_write(connection, cursor, statement, *_):
        wrote.append(statement.split()[0] in ("INSERT", "UPDATE"))

    @sqlalchemy.event.listens_for(storage.engine, "commit")
    def count(connection):
        commits.extend([1] if any(wrote) else [])
        wrote.clear()

    for hold in (False, True):
        trial, before = study.ask(), len(commits)
        with holding(trial) if hold else contextlib.nullcontext():
            _write_some(trial)
        if hold:
            assert len(commits) - before == 1
        else:
            assert len(commits) - before == 8  # 3 parameters, 3 reports, 2 attributes


def test_an_in_memory_study_writes_at_once():
    study = optuna.create_study()
    trial = study.ask()
    with holding(trial):
        _write_some(trial)
        assert study.trials[0].user_attrs == {"fold_scores": [0.1, 0.2]}


def test_a_search_records_every_fold_report_and_attribute(runner, tmp_path):
    url = f"sqlite:///{tmp_path / 'h.db'}"
    result = optimize(runner, url, trials=2)
    assert result.exit_code == 0, result.output
    for trial in trials(url):
        assert trial.state == optuna.trial.TrialState.COMPLETE
        folds = len(trial.user_attrs["fold_scores"])
        assert folds >= 2 and len(trial.user_attrs["fit_seconds"]) == folds
        assert {"host", "pid", "seed", "rss_mib", "n_params"} <= trial.user_attrs.keys()
        assert len(trial.intermediate_values) >= folds  # at least one epoch per fold


def test_a_trials_process_is_visible_before_the_space_runs(tmp_path):
    # _recover.py fails a RUNNING trial whose process is gone: it must find the pid even when
    # the process hangs or dies inside the space's own code.
    url = f"sqlite:///{tmp_path / 'h.db'}"
    seen: list[dict] = []

    def suggest(trial):
        seen.append(optuna.load_study(study_name="pid", storage=url).trials[-1].user_attrs)
        return api.suggest(trial)

    x, y = load_breast_cancer(return_X_y=True)
    space = hpsearch.Space(suggest=suggest, build=api.build, name="pid")
    quick = {"trials": 1, "folds": 2, "max_epochs": 1, "final": False}
    hpsearch.optimize(space, hpsearch.Data(x[:200], y[:200]), **quick, storage=url,
                      study_name="pid", echo=lambda line: None)  # fmt: skip
    assert seen and seen[0]["pid"] == os.getpid()
