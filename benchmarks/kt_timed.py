"""KerasTuner's own tuners under a wall budget, with a timeline of their finished trials.

KerasTuner has no timeout: a tuner here refuses to start a trial once the budget is spent
(the trial running then finishes, as with Optuna's ``timeout``). Validation is a holdout of
the training rows, as KerasTuner's guides teach; a trial is retrained on all training rows
for the epochs at which its holdout score was best, its step-counted decay stretched to the
larger data set as hpsearch's final fit does.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Any

import keras
import keras_tuner
import numpy as np
from sklearn.model_selection import train_test_split

from benchmarks.anytime import Finished
from benchmarks.kerastuner_adapter import SpaceHyperModel, refuse_failed_trials
from hpsearch._dataset import Dataset
from hpsearch._fit import n_outputs
from hpsearch._space import Space

TUNERS = {"hyperband": keras_tuner.Hyperband, "bayesian": keras_tuner.BayesianOptimization}


class _BudgetSpent(Exception):
    """Raised between trials to end a search whose wall budget is spent."""


class _EpochCounter(keras.callbacks.Callback):
    """Counts every epoch trained. KerasTuner deep-copies callbacks per trial, hence a class
    attribute rather than an instance one."""

    epochs = 0

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        _EpochCounter.epochs += 1


def _timed(tuner_class: type) -> type:
    """``tuner_class`` with a wall budget and a timeline of its completed trials."""

    class Timed(tuner_class):
        def start_clock(self, budget: float, stretch: float, seed: int) -> None:
            self.started, self.budget, self.stretch, self.seed = time.time(), budget, stretch, seed
            self.timeline: list[Finished] = []

        def pre_create_trial(self) -> None:
            if time.time() - self.started > self.budget:
                raise _BudgetSpent

        def on_trial_end(self, trial) -> None:
            super().on_trial_end(trial)
            if trial.status != "COMPLETED" or trial.score is None:
                return
            params = {k: v for k, v in trial.hyperparameters.values.items()
                      if not k.startswith("tuner/")}  # fmt: skip
            self.timeline.append(Finished(time.time() - self.started, float(trial.score),
                                          params, int(trial.best_step) + 1, self.stretch,
                                          self.seed))  # fmt: skip

    return Timed


def run_kerastuner(space: Space, dataset: Dataset, seed: int, workdir: Path, *, tuner: str,
                   budget: float, max_epochs: int, patience: int,
                   holdout: float) -> tuple[list[Finished], dict[str, Any]]:  # fmt: skip
    """One KerasTuner search of ``space`` (``hyperband``: factor 3; ``bayesian``)."""
    stratify = None if space.task == "regression" else dataset.y
    fit_rows, val_rows = train_test_split(np.arange(len(dataset.y)), test_size=holdout,
                                          random_state=seed, stratify=stratify)  # fmt: skip
    keras.utils.set_random_seed(seed)
    hypermodel = SpaceHyperModel(space, dataset.x[:64], n_outputs(space, dataset.y))
    objective = keras_tuner.Objective(space.monitor, "max" if space.direction == "maximize"
                                      else "min")  # fmt: skip
    # Hyperband's iterations and the Bayesian trial cap are raised so the wall budget ends
    # the search; every other option is the tuner's default.
    options = ({"max_epochs": max_epochs, "factor": 3, "hyperband_iterations": 1000}
               if tuner == "hyperband" else {"max_trials": 100_000})  # fmt: skip
    search = _timed(TUNERS[tuner])(hypermodel, objective=objective, seed=seed,
                                   directory=str(workdir), project_name="kt", overwrite=True,
                                   **options)  # fmt: skip
    search.start_clock(budget, stretch=1 / (1 - holdout), seed=seed)
    _EpochCounter.epochs = 0
    stop = keras.callbacks.EarlyStopping(monitor=space.monitor, patience=patience,
                                         mode=objective.direction)  # fmt: skip
    with contextlib.suppress(_BudgetSpent):
        search.search(dataset.x[fit_rows], dataset.y[fit_rows], epochs=max_epochs, verbose=0,
                      validation_data=(dataset.x[val_rows], dataset.y[val_rows]),
                      callbacks=[stop, _EpochCounter()])  # fmt: skip
    wall = time.time() - search.started
    refuse_failed_trials(search)
    return search.timeline, {
        "wall_seconds": wall,
        "trials": len(search.oracle.trials),
        "epochs_trained": _EpochCounter.epochs,
    }
