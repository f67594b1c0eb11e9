"""One model fit: the single code path shared by CV folds, the final fit and ``train``.

Each fit starts from fixed seeds (a trial's first also from a clean Keras session), fits the
space's preprocessor on the training rows only, builds the model from ``params``,
trains it, and refuses diverged results. The folds of one trial share one compiled model
(:class:`FoldModels`), reset to its untrained state before each fold.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import keras
import numpy as np

from hpsearch._errors import OverBudget, TrialDiverged
from hpsearch._fold_cache import fit_transform
from hpsearch._space import Space

#: ``(unfitted preprocessor, x, x_val) -> (fitted preprocessor, x, x_val)``, transformed.
Preprocess = Callable[[Any, np.ndarray, "np.ndarray | None"], tuple]

DEFAULT_BATCH_SIZE = 128

#: Batches that Keras runs per call of its compiled training loop, for a model that its space
#: compiled with Keras's default of one. Each call costs Python and TensorFlow dispatch work
#: that small models do not amortize: a ``california`` MLP at batch 32 trained its epochs in
#: ~75 ms instead of ~160 ms here with 8-32, to the same weights (benchmarks README, "Round
#: 22"). Callbacks' batch hooks then run once per call; epoch hooks are unchanged.
STEPS_PER_EXECUTION = 16

#: The backends whose compiled loop runs several batches per call. JAX's runs them in a
#: Python loop around one jitted batch, which saves nothing; PyTorch's refuses more than one.
LOOPING_BACKENDS = ("tensorflow",)


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


class FoldModels:
    """One trial's compiled model, handed to each of its folds in its untrained state.

    Building, compiling and tracing a Keras model cost ~1.2 s per fold here, against
    0.16 s per later epoch (a ``california`` MLP on 3,333 rows, 2 cores): the first epoch
    traces the train and eval functions. Folds 2..K reuse the traced model with its initial
    weights and optimizer state restored, so every fold starts from the same untrained
    model, and each fold still fits its own preprocessor.
    """

    def __init__(self) -> None:
        self.model: keras.Model | None = None
        self._key: tuple | None = None
        self._weights: list[np.ndarray] = []
        self._optimizer_state: list[np.ndarray] = []

    def reusable(self, key: tuple) -> bool:
        """Whether the kept model fits ``key`` (input shape and outputs), so no rebuild."""
        return self.model is not None and key == self._key

    def keep(self, model: keras.Model, key: tuple) -> None:
        """Records ``model``'s untrained state. A model without an optimizer, or one whose
        variables are made only by its first fit (a ``Sequential`` without an input shape),
        is not kept: each fold builds its own."""
        optimizer = getattr(model, "optimizer", None)
        if optimizer is None or not model.built or not model.trainable_variables:
            return
        build_training_state(model)  # its slots exist before the first fit
        self.model, self._key = model, key
        self._weights = model.get_weights()
        self._optimizer_state = [np.array(v) for v in optimizer.variables]

    def reset(self) -> keras.Model:
        """The kept model, back to its untrained weights and a fresh optimizer state."""
        self.model.set_weights(self._weights)
        variables = self.model.optimizer.variables
        for variable, value in zip(variables, self._optimizer_state, strict=True):
            variable.assign(value)
        return self.model


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
    x_val: np.ndarray | None = None,
    n_classes: int | None = None,
    reuse: FoldModels | None = None,
    preprocess: Preprocess = fit_transform,
) -> tuple[keras.Model, Any, np.ndarray, np.ndarray | None]:
    """Fits the space's preprocessor on ``x`` and builds the untrained model for its output.

    With ``reuse``, the model kept there is reset and returned when its input shape and
    outputs match, and a newly built model is kept there. ``preprocess`` fits and applies
    the preprocessor (a search passes its :class:`FoldCache`'s).

    Returns:
        The compiled model, the fitted preprocessor (or ``None``), and ``x`` and ``x_val``
        transformed.
    """
    preprocessor = space.make_preprocessor(params)
    if preprocessor is not None:
        preprocessor, x, x_val = preprocess(preprocessor, x, x_val)
    # Classes of the whole data set, since a fold may miss a rare one; a one-hot y says itself.
    use_classes = space.task == "multiclass" and n_classes and y.ndim == 1
    outputs = n_classes if use_classes else n_outputs(space, y)
    key = (tuple(x.shape[1:]), outputs)
    if reuse is not None and reuse.reusable(key):
        return reuse.reset(), preprocessor, x, x_val
    model = space.build(params, key[0], outputs)
    build_training_state(model, x[:2], y[:2])
    if reuse is not None:
        reuse.keep(model, key)
    return model, preprocessor, x, x_val


def build_training_state(model: keras.Model, x: Any = None, y: Any = None) -> None:
    """Creates a compiled model's optimizer slots and, given a batch ``x, y``, its compiled
    metrics' variables, before the first fit.

    Keras (3.15, TensorFlow backend, no distribution strategy) creates them inside the first
    trace of its training loop, and a ``tf.function`` whose first trace creates variables is
    traced again: every new model paid two traces of its train step (benchmarks README,
    "Probe: one trace per model"). Made here, eagerly, they leave one. Updating the metrics
    with the batch changes nothing: ``fit`` resets them at each epoch. A model that is not
    built or not compiled is left to Keras, as is one whose metrics fail on the batch (its
    ``fit`` then fails with Keras's own error).
    """
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not model.built or not model.trainable_variables:
        return
    if not optimizer.built:
        optimizer.build(model.trainable_variables)
    if x is None or len(x) == 0:
        return
    try:
        model.compute_metrics(x, y, model(x, training=False))
    except Exception:  # noqa: BLE001 - a speed-up only; fit builds them itself
        return


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
    reuse: FoldModels | None = None,
    preprocess: Preprocess = fit_transform,
) -> FitResult:
    """Builds and trains the model that ``params`` describe.

    Args:
        space: The search space that builds the model.
        params: Hyperparameters as returned by ``space.suggest``.
        x: Training inputs; y: training targets.
        epochs: Maximum number of epochs (callbacks may stop earlier).
        seed: Seeds Python and NumPy, and on a trial's first fold (``reuse`` keeps no model
            yet) also the backend (:func:`seed_fit`), so the same calls in the same order
            give the same models.
        validation: ``(x_val, y_val)`` to score each epoch on, or ``None``.
        callbacks: Extra Keras callbacks (pruning, early stopping).
        max_params: Parameter budget; a bigger model is refused before training.
        n_classes: Classes of the whole data set (a fold may miss a rare one).
        trial: The live Optuna trial during the search (a KerasTuner ``HyperModel.fit`` may
            ask it for training hyperparameters), ``None`` in the final fit.
        reuse: The trial's :class:`FoldModels` in CV; ``None`` builds a fresh model.
        preprocess: Fits and applies the preprocessor (in CV, the search's fold cache).

    Raises:
        OverBudget: The model is over the parameter budget.
        TrialDiverged: The training loss became NaN or infinite.
    """
    first_fit = reuse is None or reuse.model is None
    if first_fit:
        # Without a second full garbage collection (~0.2 s per trial here): the one after
        # each trial (``_heap.py``) frees the last model's cycles, and the CLI recycles worker
        # processes every 10 trials because memory grows in one process anyway.
        keras.backend.clear_session(free_memory=False)
    seed_fit(seed, backend=first_fit)
    model, preprocessor, x, x_val = build_model(
        space, params, x, y, x_val=None if validation is None else validation[0],
        n_classes=n_classes, reuse=reuse, preprocess=preprocess,
    )  # fmt: skip
    if validation is not None:
        validation = (x_val, validation[1])
    if max_params is not None and model.count_params() > max_params:
        raise OverBudget(model.count_params(), max_params)
    batches_per_call(model)
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


def seed_fit(seed: int, *, backend: bool) -> None:
    """Seeds Python and NumPy, and with ``backend`` Keras and TensorFlow too.

    TensorFlow's ``set_seed`` clears its eager caches, so a trial's later fold, which reuses
    the traced model (:class:`FoldModels`), paid 0.27 s more for its first epoch reseeded
    than not, against 0.32 s of first-epoch excess in all (benchmarks README, "After round
    28"). So a search seeds the backend once per trial, on its first fold; later folds draw
    their shuffles on from where the earlier folds left TensorFlow's stream. The trial's seed
    still fixes every fold, since a trial's folds run in order in one process.
    """
    if backend:
        keras.utils.set_random_seed(seed)  # also the fit's shuffling and dropout
    else:
        random.seed(seed)
        np.random.seed(seed)


def batches_per_call(model: keras.Model) -> None:
    """Runs :data:`STEPS_PER_EXECUTION` batches per call of ``model``'s training loop, unless
    its space compiled it with a ``steps_per_execution`` of its own or the backend gains
    nothing from it (:data:`LOOPING_BACKENDS`).

    Set before the first ``fit`` traces the loop; a reused fold model keeps its value.
    """
    if keras.backend.backend() not in LOOPING_BACKENDS:
        return
    if getattr(model, "steps_per_execution", None) == 1:
        model.steps_per_execution = STEPS_PER_EXECUTION


def _refuse_divergence(history: dict[str, list[float]]) -> None:
    """TerminateOnNaN stops the fit; this turns the stop into a recorded trial failure."""
    for epoch, loss in enumerate(history.get("loss", []), start=1):
        if not math.isfinite(loss):
            raise TrialDiverged(f"training diverged: loss became {loss} in epoch {epoch}.")
