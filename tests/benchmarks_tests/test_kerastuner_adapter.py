"""The other direction: built-in hpsearch spaces run unchanged under KerasTuner's tuners."""

from __future__ import annotations

import keras_tuner
import numpy as np
import pytest

from benchmarks.kerastuner_adapter import SpaceHyperModel, refuse_failed_trials
from hpsearch import HpsearchError, load_dataset, load_space


def _values(tuner) -> list[dict]:
    return [t.hyperparameters.values for t in tuner.oracle.trials.values()]


def test_california_under_random_search(tmp_path, data_dir):
    space = load_space("california").for_task("regression")
    data = load_dataset("california", data_dir)
    tuner = keras_tuner.RandomSearch(
        SpaceHyperModel(space, data.x[:200], 1), objective="val_mse", max_trials=3, seed=0,
        directory=tmp_path, project_name="california",
    )  # fmt: skip
    tuner.search(data.x[:600], data.y[:600], epochs=1, validation_split=0.2, verbose=0)
    refuse_failed_trials(tuner)
    assert len(tuner.oracle.trials) == 3
    for values in _values(tuner):  # the space's own names, log-scaled ranges kept
        assert {"scaler", "n_layers", "learning_rate", "optimizer", "batch_size"} <= set(values)
        assert 1e-4 <= values["learning_rate"] <= 1e-1


def test_fashion_mlp_under_hyperband(tmp_path, data_dir):
    space = load_space("fashion_mlp").for_task("multiclass")
    data = load_dataset("fashion_mnist", data_dir)
    tuner = keras_tuner.Hyperband(
        SpaceHyperModel(space, data.x[:100], 10), objective="val_accuracy", max_epochs=2,
        factor=3, seed=0, directory=tmp_path, project_name="fashion",
    )  # fmt: skip
    tuner.search(data.x, data.y, validation_split=0.2, verbose=0)
    refuse_failed_trials(tuner)
    assert len(tuner.oracle.trials) >= 2
    assert all({"n_layers", "units_0", "l1", "l2"} <= set(v) for v in _values(tuner))


def test_failed_keras_tuner_trials_fail_loudly(tmp_path, data_dir, monkeypatch):
    def broken_fit(self, hp, model, *args, **kwargs):  # as without tensorboard, in every trial
        raise ImportError("No module named 'tensorboard'")

    monkeypatch.setattr(SpaceHyperModel, "fit", broken_fit)
    space = load_space("california").for_task("regression")
    data = load_dataset("california", data_dir)
    tuner = keras_tuner.RandomSearch(
        SpaceHyperModel(space, data.x[:50], 1), objective="val_loss", max_trials=2,
        directory=tmp_path, project_name="broken",
    )  # fmt: skip
    tuner.search(data.x[:200], data.y[:200], epochs=1, validation_split=0.2, verbose=0)
    with pytest.raises(HpsearchError, match="2 of 2 KerasTuner trials did not complete.*"
                                            "tensorboard"):  # fmt: skip
        refuse_failed_trials(tuner)


def test_a_timed_hyperband_stops_on_its_budget_and_keeps_a_timeline(tmp_path, data_dir):
    from benchmarks.kt_timed import run_kerastuner
    from hpsearch._dataset import Dataset

    space = load_space("california").for_task("regression")
    full = load_dataset("california", data_dir)
    data = Dataset("california_400", full.x[:400], full.y[:400], full.test, full.source)
    timeline, costs = run_kerastuner(space, data, 0, tmp_path, tuner="hyperband", budget=3.0,
                                     max_epochs=3, patience=2, holdout=0.2)  # fmt: skip
    assert timeline and costs["trials"] == len(timeline)  # every started trial completed
    # No trial starts after the budget: only the one running then ends past it.
    assert sum(event.seconds > 3.0 for event in timeline) <= 1
    assert costs["epochs_trained"] >= len(timeline)
    assert all(event.stretch == 1 / 0.8 and 1 <= event.epochs <= 3 for event in timeline)
    assert all("tuner/epochs" not in event.params for event in timeline)


def _search_with_nan_targets(tmp_path, data_dir, monkeypatch, *, every: int, trials: int = 3):
    """A random search whose every ``every``-th trial trains on NaN targets, so its holdout
    loss is NaN, as a diverged trial's is."""
    fit, fits = SpaceHyperModel.fit, []

    def sometimes_nan(self, hp, model, x, y, *args, **kwargs):
        fits.append(None)
        if len(fits) % every == 0:
            y, kwargs["validation_data"] = (
                y * np.nan,
                (kwargs["validation_data"][0], kwargs["validation_data"][1] * np.nan),
            )
        return fit(self, hp, model, x, y, *args, **kwargs)

    monkeypatch.setattr(SpaceHyperModel, "fit", sometimes_nan)
    space = load_space("california").for_task("regression")
    data = load_dataset("california", data_dir)
    tuner = keras_tuner.RandomSearch(
        SpaceHyperModel(space, data.x[:50], 1), objective="val_loss", max_trials=trials,
        seed=0, directory=tmp_path, project_name=f"nan_{every}",
    )  # fmt: skip
    tuner.search(data.x[:200], data.y[:200], epochs=1, verbose=0,
                 validation_data=(data.x[200:260], data.y[200:260]))  # fmt: skip
    return tuner


def test_a_diverged_keras_tuner_trial_is_a_result_not_a_broken_environment(
    tmp_path, data_dir, monkeypatch
):
    tuner = _search_with_nan_targets(tmp_path, data_dir, monkeypatch, every=2)
    statuses = sorted(t.status for t in tuner.oracle.trials.values())
    assert statuses == ["COMPLETED", "COMPLETED", "FAILED"]  # KerasTuner's own verdict
    refuse_failed_trials(tuner)  # one diverged trial among completed ones: the run stands


def test_a_keras_tuner_search_whose_every_trial_diverged_fails_loudly(
    tmp_path, data_dir, monkeypatch
):
    # Two trials: from three consecutive failures on, KerasTuner raises by itself.
    tuner = _search_with_nan_targets(tmp_path, data_dir, monkeypatch, every=1, trials=2)
    with pytest.raises(HpsearchError, match="none of 2 KerasTuner trials completed"):
        refuse_failed_trials(tuner)
