"""An hpsearch space run under KerasTuner's own tuners, for comparing the two tools fairly.

The identical space, not two hand-written copies: ``suggest(trial)`` is given a trial-like
object whose ``suggest_int`` / ``suggest_float`` / ``suggest_categorical`` are KerasTuner
``hp.Int`` / ``hp.Float`` / ``hp.Choice`` (log scales kept; a conditional parameter is
registered only when its branch runs, as in Optuna). The space's preprocessor is fitted on
the tuner's training part of each fit only. KerasTuner marks a trial that raises as invalid
and goes on, so a broken environment "finishes" with nothing (it happened here with
TensorFlow 2.21 and no ``tensorboard``): :func:`refuse_failed_trials` turns that into an error.
"""

from __future__ import annotations

import math
from typing import Any

import keras_tuner
import numpy as np

from hpsearch._errors import HpsearchError
from hpsearch._fit import DEFAULT_BATCH_SIZE
from hpsearch._space import Space


class KerasTunerTrial:
    """The part of ``optuna.Trial`` a space's ``suggest`` uses, backed by KerasTuner's ``hp``."""

    def __init__(self, hp: keras_tuner.HyperParameters) -> None:
        self.hp = hp

    def suggest_int(self, name: str, low: int, high: int, *, step: int = 1, log: bool = False):
        if log:
            return self.hp.Int(name, low, high, sampling="log")
        return self.hp.Int(name, low, high, step=step)

    def suggest_float(self, name: str, low: float, high: float, *, step: float | None = None,
                      log: bool = False) -> float:  # fmt: skip
        return self.hp.Float(name, low, high, step=step, sampling="log" if log else "linear")

    def suggest_categorical(self, name: str, choices) -> Any:
        return self.hp.Choice(name, list(choices))


class SpaceHyperModel(keras_tuner.HyperModel):
    """A KerasTuner ``HyperModel`` made from an hpsearch space and the training inputs.

    Args:
        space: The space, its task resolved (``Space.for_task``).
        x_sample: A few training rows: the model's input shape after the preprocessor.
        n_outputs: The model's output units.
    """

    def __init__(self, space: Space, x_sample: np.ndarray, n_outputs: int) -> None:
        super().__init__(name=space.name)
        self.space, self.x_sample, self.n_outputs = space, x_sample, n_outputs

    def _params(self, hp) -> dict[str, Any]:
        return self.space.suggested(KerasTunerTrial(hp))

    def build(self, hp):
        params = self._params(hp)
        preprocessor = self.space.make_preprocessor(params)
        x = self.x_sample if preprocessor is None else preprocessor.fit_transform(self.x_sample)
        return self.space.build(params, tuple(x.shape[1:]), self.n_outputs)

    def fit(self, hp, model, x, y, validation_data=None, **kwargs):
        params = self._params(hp)
        preprocessor = self.space.make_preprocessor(params)
        if preprocessor is not None:  # fitted on the tuner's training part only
            x = preprocessor.fit_transform(x)
            if validation_data is not None:
                validation_data = (preprocessor.transform(validation_data[0]),
                                   validation_data[1])  # fmt: skip
        batch_size = int(params.get("batch_size", DEFAULT_BATCH_SIZE))
        return model.fit(x, y, batch_size=batch_size, validation_data=validation_data, **kwargs)


def diverged(trial: keras_tuner.engine.trial.Trial) -> bool:
    """Whether a trial ended for a NaN objective, not an error: KerasTuner marks such a trial
    INVALID, then FAILED once its retries (none by default) are used, with no message.

    Round 32 met one (a Hyperband trial on ``california``). hpsearch fails a diverged trial
    and goes on as well, so it is a result of the search, not a broken environment.
    """
    return not trial.message and trial.score is not None and math.isnan(trial.score)


def refuse_failed_trials(tuner: keras_tuner.Tuner) -> None:
    """Raises if any KerasTuner trial failed with an error, or none completed (KerasTuner
    itself only logs a failed trial and goes on)."""
    trials = list(tuner.oracle.trials.values())
    failed = [t for t in trials if t.status != "COMPLETED" and not diverged(t)]
    if failed:
        reasons = {str(t.message).strip().splitlines()[-1] for t in failed if t.message}
        raise HpsearchError(
            f"{len(failed)} of {len(trials)} KerasTuner trials did not complete: "
            f"{'; '.join(sorted(reasons)) or 'no message'}"
        )
    if not any(t.status == "COMPLETED" for t in trials):
        raise HpsearchError(f"none of {len(trials)} KerasTuner trials completed: all diverged")
