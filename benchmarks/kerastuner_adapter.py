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


def refuse_failed_trials(tuner: keras_tuner.Tuner) -> None:
    """Raises if any KerasTuner trial failed (KerasTuner itself only logs it and goes on)."""
    failed = [t for t in tuner.oracle.trials.values() if t.status != "COMPLETED"]
    if failed:
        reasons = {str(t.message).strip().splitlines()[-1] for t in failed if t.message}
        raise HpsearchError(
            f"{len(failed)} of {len(tuner.oracle.trials)} KerasTuner trials did not complete: "
            f"{'; '.join(sorted(reasons)) or 'no message'}"
        )
