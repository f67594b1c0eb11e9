"""The overhead run's accounting: every second of the run lands in exactly one place."""

from __future__ import annotations

import datetime

import optuna
import pytest

from benchmarks import overhead_cli
from benchmarks.overhead_cli import overhead_options, where_time_went

T0 = datetime.datetime(2026, 12, 1, 12, 0, 0)


def _trial(start: float, end: float, fit: list[float], report: float) -> optuna.trial.FrozenTrial:
    trial = optuna.trial.create_trial(
        value=1.0, user_attrs={"fit_seconds": fit, "report_seconds": report}
    )
    trial.datetime_start = T0 + datetime.timedelta(seconds=start)
    trial.datetime_complete = T0 + datetime.timedelta(seconds=end)
    return trial


def test_the_run_is_split_into_parts_that_add_up_to_its_wall_time():
    trials = [_trial(15, 20, [1.0, 2.0], 0.5), _trial(4, 10, [3.0, 1.5], 0.25)]
    started = T0.timestamp()
    seconds = where_time_went(trials, started, started + 21)
    assert seconds == pytest.approx({
        "before_first_trial": 4, "between_trials": 5, "after_last_trial": 1,
        "in_trials_outside_fit": 11 - 7.5, "report_and_prune_in_fit": 0.75,
        "training_in_fit": 6.75,
    })  # fmt: skip
    assert sum(seconds.values()) == pytest.approx(21)


def test_the_command_takes_a_label_and_a_share_of_the_training_rows(monkeypatch):
    runs = []
    monkeypatch.setattr(overhead_cli, "overhead_run", lambda *args: runs.append(args))
    overhead_cli.overhead_main(["round17_full", "--subsample", "1.0"])
    overhead_cli.overhead_main([])
    assert runs == [("round17_full", "1.0"), ("", "0.33")]
    options = overhead_options("1.0")
    assert options[options.index("--subsample") + 1] == "1.0"
    assert overhead_options()[:-4] == options[:-4]  # only the share of rows differs
