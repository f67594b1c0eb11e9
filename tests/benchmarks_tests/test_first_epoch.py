"""The first-epoch probe: what it records in a real search, and how it reads the excess."""

from __future__ import annotations

import keras
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler

import hpsearch
from benchmarks import first_epoch
from hpsearch import _objective


def test_a_folds_excess_is_its_first_epoch_over_its_later_ones_or_the_runs():
    ends = {
        (0, 0): [0.0, 1.5, 1.6, 1.7],  # epochs of 1.5, 0.1, 0.1 s
        (0, 1): [2.0, 2.15, 2.25],  # 0.15, 0.1
        (1, 0): [3.0, 4.3],  # one epoch: against the run's median later epoch, 0.1
        (1, 1): [5.0],  # started, no epoch ended: not counted
    }
    assert first_epoch.excess_by_fold(ends) == pytest.approx(
        {(0, 0): 1.4, (0, 1): 0.05, (1, 0): 1.2}
    )


def _build(params, input_shape, n_outputs):
    model = keras.Sequential([
        keras.Input(input_shape),
        keras.layers.Dense(params["units"], activation="relu"),
        keras.layers.Dense(1, activation="sigmoid"),
    ])  # fmt: skip
    model.compile(keras.optimizers.Adam(params["lr"]), "binary_crossentropy", metrics=["accuracy"])
    return model


def test_every_epoch_of_every_fold_and_every_outcome_is_recorded_then_unwrapped():
    space = hpsearch.Space(
        suggest=lambda t: {"units": t.suggest_int("units", 2, 16),
                           "lr": t.suggest_float("lr", 1e-4, 1e-1, log=True)},
        build=_build, name="cancer", preprocessor=lambda params: StandardScaler(),
    )  # fmt: skip
    x, y = load_breast_cancer(return_X_y=True)
    first_epoch.EPOCH_ENDS.clear()
    first_epoch.OUTCOMES.clear()
    with first_epoch.recording_epochs(max_epochs=4):
        result = hpsearch.optimize(space, hpsearch.Data(x, y), trials=3, folds=2, max_epochs=4,
                                   seed=0, final=False, echo=lambda line: None)  # fmt: skip
    trials = result.study.trials
    assert {t.number: t.state.name for t in trials} == first_epoch.OUTCOMES
    for trial in trials:
        for fold in range(2):
            steps = [s for s in trial.intermediate_values if s // 4 == fold]
            ends = first_epoch.EPOCH_ENDS.get((trial.number, fold))
            # the fold's start, then one end per epoch it reported
            assert (len(ends) == len(steps) + 1) if steps else ends is None
            assert ends is None or ends == sorted(ends)
    reporter = _objective._PruningReporter
    assert "on_train_begin" not in vars(reporter)
    assert reporter.on_epoch_end.__qualname__ == "_PruningReporter.on_epoch_end"
    assert _objective.Objective.__call__.__qualname__ == "Objective.__call__"
