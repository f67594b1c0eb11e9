"""Studies: resume to N finished trials, refuse mixed settings, reproducible with --seed."""

from __future__ import annotations

import pytest
from optuna.trial import TrialState

from tests.helpers import optimize, trials


def test_rerun_resumes_the_same_study_up_to_n_trials(runner, storage):
    assert optimize(runner, storage, "--no-final", trials=2).exit_code == 0
    result = optimize(runner, storage, "--no-final", trials=4)
    assert result.exit_code == 0, result.output
    assert "2/4 trials finished" in result.output
    finished = [t for t in trials(storage) if t.state in (TrialState.COMPLETE, TrialState.PRUNED)]
    assert len(finished) == 4
    # Resumed trials are new samples, not a replay of the first ones.
    assert (
        len({t.params["units"] for t in finished} | {t.params["learning_rate"] for t in finished})
        > 4
    )
    again = optimize(runner, storage, "--no-final", trials=4)
    assert again.exit_code == 0 and len(trials(storage)) == 4  # nothing left to do


def test_resume_with_different_settings_is_refused(runner, storage):
    assert optimize(runner, storage, "--no-final", trials=1).exit_code == 0
    result = optimize(runner, storage, "--no-final", "--folds", "3", trials=2)
    assert result.exit_code == 1
    assert "was created with settings=" in result.output and "--study-name" in result.output
    assert len(trials(storage)) == 1  # nothing was mixed in


def test_study_name_reused_with_another_space_is_refused(runner, storage):
    assert optimize(runner, storage, "--no-final", trials=1).exit_code == 0
    result = optimize(runner, storage, "--no-final", "--study-name", "tiny", space="diverging")
    assert result.exit_code == 1 and "was created with space='tiny'" in result.output


def test_same_seed_gives_same_parameters_and_scores(runner, tmp_path):
    first, second = (f"sqlite:///{tmp_path}/{name}.db" for name in ("a", "b"))
    assert optimize(runner, first, "--no-final", trials=3).exit_code == 0
    assert optimize(runner, second, "--no-final", trials=3).exit_code == 0
    for a, b in zip(trials(first), trials(second), strict=True):
        assert a.params == b.params
        assert a.user_attrs["seed"] == b.user_attrs["seed"]
        assert a.value == pytest.approx(b.value, rel=1e-4)
