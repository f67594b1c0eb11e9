"""Progress lines: the ETA is the sooner of the trials left and the time left."""

from __future__ import annotations

import optuna
import pytest

from hpsearch._progress import ProgressLine


def _study_with_one_trial() -> tuple[optuna.Study, optuna.trial.FrozenTrial]:
    study = optuna.create_study()
    study.optimize(lambda trial: trial.suggest_float("x", 0, 1), n_trials=1)
    return study, study.trials[0]


@pytest.mark.parametrize(
    ("timeout", "expected"),
    [
        (None, "eta 277:30:00"),  # 999 trials left at 1,000 s each
        (1_500, "eta 0:08:20 (timeout)"),  # 500 s of the timeout left: the sooner bound
        (10_000_000, "eta 277:30:00"),  # the timeout is further away than the trials
        (900, "eta 0:00:00 (timeout)"),  # past the timeout: nothing starts any more
    ],
)
def test_eta_is_the_sooner_bound_and_says_which(timeout, expected, monkeypatch):
    study, trial = _study_with_one_trial()
    lines: list[str] = []
    progress = ProgressLine(1_000, lines.append, timeout=timeout)
    progress.started = 0.0  # 1,000 s into the search, exactly
    monkeypatch.setattr("hpsearch._progress.time.monotonic", lambda: 1_000.0)
    progress(study, trial)
    (line,) = lines
    assert "[1/1000]" in line and "elapsed 0:16:40" in line
    assert line.endswith(expected)
