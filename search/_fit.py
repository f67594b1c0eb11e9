"""One model fit: the single code path shared by CV folds, the final fit and ``train``.

Each fit starts from a clean Keras session with fixed seeds, fits the space's
preprocessor on the training rows only, builds the model from ``params``,
trains it, and refuses diverged results.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import keras
import numpy as np

from hpsearch._errors import OverBudget, TrialDiverged
from hpsearch._space import Space

DEFAULT_BATCH_SIZE = 128


@dataclass
class FitResult:
    """What a fit leaves behind.

    Attributes:
        model: The trained Keras model.
        preprocessor: The fitted scikit-learn transformer, or ``None``.
        history: Keras's per-epoch logs (``loss``, ``val_<metric>``, ...).
        seconds: Wall time of ``model.fit``.
    """

    model: keras.Model
    preprocessor: Any
    history: dict[str, list[float]]
    seconds: float

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Model outputs for raw inputs, through the fitted preprocessor."""
        if self.preprocessor is not None:
            x = self.preprocessor.transform(x)
        return self.model.predict(x, batch_size=1024, verbose=0)


def n_outputs(space: Space, y: np.ndarray) -> int:
    """Output units: one per class for multiclass, one per column of a 2-D target, else one."""
    if y.ndim == 2:
        return y.shape[1]
    return int(y.max()) + 1 if space.task == "multiclass" else 1


def build_model(
    space: Space,
    params: dict[str, Any],
    x: np.ndarray,
    y: np.ndarray,
    *,
    n_classes: int | None = None,
) -> tuple[keras.Model, Any, np.ndarray]:
    """Fits the space's preprocessor on ``x`` and builds the untrained model for its output.

    Returns:
        The compiled model, the fitted preprocessor (or ``None``) and the transformed ``x``.
    """
    preprocessor = space.make_preprocessor(params)
    if preprocessor is not None:
        x = preprocessor.fit_transform(x)
    # Classes of the whole data set, since a fold may miss a rare one; a one-hot y says itself.
    use_classes = space.task == "multiclass" and n_classes and y.ndim == 1
    outputs = n_classes if use_classes else n_outputs(space, y)
    return space.build(params, tuple(x.shape[1:]), outputs), preprocessor, x


def fit_model(
    space: Space,
    params: dict[str, Any],
    x: np.ndarray,
    y: np.ndarray,
    *,
    epochs: int,
    seed: int,
    validation: tuple[np.ndarray, np.ndarray] | None = None,
    callbacks: list[keras.callbacks.Callback] | tuple = (),
    max_params: int | None = None,
    n_classes: int | None = None,
    trial: Any = None,
) -> FitResult:
    """Builds and trains the model that ``params`` describe.

    Args:
        space: The search space that builds the model.
        params: Hyperparameters as returned by ``space.suggest``.
        x: Training inputs; y: training targets.
        epochs: Maximum number of epochs (callbacks may stop earlier).
        seed: Seeds Python, NumPy and the backend, so the same call gives the same model.
        validation: ``(x_val, y_val)`` to score each epoch on, or ``None``.
        callbacks: Extra Keras callbacks (pruning, early stopping).
        max_params: Parameter budget; a bigger model is refused before training.
        n_classes: Classes of the whole data set (a fold may miss a rare one).
        trial: The live Optuna trial during the search (a KerasTuner ``HyperModel.fit`` may
            ask it for training hyperparameters), ``None`` in the final fit.

    Raises:
        OverBudget: The model is over the parameter budget.
        TrialDiverged: The training loss became NaN or infinite.
    """
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    model, preprocessor, x = build_model(space, params, x, y, n_classes=n_classes)
    if preprocessor is not None and validation is not None:
        validation = (preprocessor.transform(validation[0]), validation[1])
    if max_params is not None and model.count_params() > max_params:
        raise OverBudget(model.count_params(), max_params)
    started = time.perf_counter()
    history = space.train(
        params, model, x, y, trial=trial,
        batch_size=int(params.get("batch_size", DEFAULT_BATCH_SIZE)),
        epochs=epochs,
        validation_data=validation,
        callbacks=[keras.callbacks.TerminateOnNaN(), *callbacks],
        verbose=0,
    )  # fmt: skip
    result = FitResult(model, preprocessor, history.history, time.perf_counter() - started)
    _refuse_divergence(result.history)
    return result


def _refuse_divergence(history: dict[str, list[float]]) -> None:
    """TerminateOnNaN stops the fit; this turns the stop into a recorded trial failure."""
    for epoch, loss in enumerate(history.get("loss", []), start=1):
        if not math.isfinite(loss):
            raise TrialDiverged(f"training diverged: loss became {loss} in epoch {epoch}.")
