"""Building blocks shared by the space modules, so that a space file stays short.

``suggest_*`` functions sample define-by-run (a parameter exists only when it
applies); ``make_*`` functions turn the resulting ``params`` dict into Keras
objects. The pairs agree on parameter names, so a space is ``suggest_*`` calls in
``suggest`` and ``make_*`` calls in ``build``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras
from sklearn.pipeline import make_union
from sklearn.preprocessing import (
    MinMaxScaler,
    QuantileTransformer,
    SplineTransformer,
    StandardScaler,
)

#: Optimizer family -> its conditional parameters, each (low, high, log) or choices.
#: A name shared by families (``rho``, ``beta_1``) must have one range: Optuna keeps one
#: distribution per parameter name within a study.
OPTIMIZERS: dict[str, dict[str, Any]] = {
    "sgd": {"momentum": (0.0, 0.99, False), "nesterov": [False, True]},
    "adam": {"beta_1": (0.8, 0.99, False), "beta_2": (0.99, 0.9999, False)},
    "nadam": {"beta_1": (0.8, 0.99, False), "beta_2": (0.99, 0.9999, False)},
    "adamw": {"beta_1": (0.8, 0.99, False), "weight_decay": (1e-6, 1e-2, True)},
    "rmsprop": {"rho": (0.8, 0.99, False)},
    "adadelta": {"rho": (0.8, 0.99, False)},
}
_KERAS_OPTIMIZERS = {
    "sgd": keras.optimizers.SGD,
    "adam": keras.optimizers.Adam,
    "nadam": keras.optimizers.Nadam,
    "adamw": keras.optimizers.AdamW,
    "rmsprop": keras.optimizers.RMSprop,
    "adadelta": keras.optimizers.Adadelta,
}
SCHEDULES = ("constant", "step", "exponential", "cosine")
_LOSSES = {
    "multiclass": "sparse_categorical_crossentropy",
    "binary": "binary_crossentropy",
    "regression": "mse",
}
_ACTIVATIONS = {"multiclass": "softmax", "binary": "sigmoid", "regression": None}


def suggest_optimizer(
    trial: Any,
    families: tuple[str, ...] = tuple(OPTIMIZERS),
    learning_rate: tuple[float, float] = (1e-4, 1e-1),
    tuned: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """Optimizer family, log-uniform learning rate, and the family's own parameters.

    Args:
        trial: An Optuna trial (or ``FixedTrial`` when retraining).
        families: Which keys of :data:`OPTIMIZERS` to choose among.
        learning_rate: ``(low, high)`` of the log-uniform learning rate.
        tuned: Restrict the family parameters to these names (``None``: all).
    """
    family = trial.suggest_categorical("optimizer", list(families))
    params = {"optimizer": family}
    params["learning_rate"] = trial.suggest_float("learning_rate", *learning_rate, log=True)
    for name, spec in OPTIMIZERS[family].items():
        if tuned is not None and name not in tuned:
            continue
        if isinstance(spec, list):
            params[name] = trial.suggest_categorical(name, spec)
        else:
            low, high, log = spec
            params[name] = trial.suggest_float(name, low, high, log=log)
    return params


def suggest_schedule(trial: Any, kinds: tuple[str, ...] = SCHEDULES) -> dict[str, Any]:
    """Learning-rate schedule; decay settings only for the schedules that use them.

    Decay is counted in optimizer steps so that ``build`` stays a pure function of
    ``params`` (it does not know the data size).
    """
    kind = trial.suggest_categorical("schedule", list(kinds))
    params: dict[str, Any] = {"schedule": kind}
    if kind != "constant":
        params["decay_steps"] = trial.suggest_int("decay_steps", 200, 5000, log=True)
    if kind in ("step", "exponential"):
        params["decay_rate"] = trial.suggest_float("decay_rate", 0.1, 0.9)
    return params


def make_learning_rate(params: dict[str, Any]):
    """A float or a ``keras.optimizers.schedules`` object from the suggested params."""
    rate, kind = params["learning_rate"], params.get("schedule", "constant")
    schedules = keras.optimizers.schedules
    if kind == "constant":
        return rate
    if kind == "cosine":
        return schedules.CosineDecay(rate, params["decay_steps"], alpha=0.01)
    staircase = kind == "step"  # step decay = exponential decay applied in stairs
    return schedules.ExponentialDecay(
        rate, params["decay_steps"], params["decay_rate"], staircase=staircase
    )


def stretch_schedule(params: dict[str, Any], factor: float) -> dict[str, Any]:
    """``params`` with ``decay_steps`` scaled by ``factor``: the same learning rate per epoch
    on ``factor`` times as many rows per epoch.

    Decay counts optimizer steps, one per batch. The final fit trains for the trial's scored
    epoch count on all training rows, ``factor`` times a fold's rows (x10 for 2 folds on a
    20 % subsample), so without the stretch its learning rate decays ``factor`` times faster
    per epoch than the fit that earned that epoch count did.
    """
    if factor <= 0:
        raise ValueError(f"factor must be positive, but got {factor=}.")
    if "decay_steps" not in params:
        return dict(params)
    return params | {"decay_steps": max(1, round(params["decay_steps"] * factor))}


def make_optimizer(params: dict[str, Any]) -> keras.optimizers.Optimizer:
    """The Keras optimizer named by ``params['optimizer']`` with its own parameters."""
    family = params["optimizer"]
    options = {name: params[name] for name in OPTIMIZERS[family] if name in params}
    if params.get("clipnorm"):  # 0 or absent: no clipping
        options["clipnorm"] = params["clipnorm"]
    return _KERAS_OPTIMIZERS[family](learning_rate=make_learning_rate(params), **options)


def make_regularizer(params: dict[str, Any]) -> keras.regularizers.Regularizer | None:
    """L1/L2 kernel regularizer from ``params['l1']`` / ``params['l2']``, if either is set."""
    l1, l2 = params.get("l1", 0.0), params.get("l2", 0.0)
    return keras.regularizers.L1L2(l1=l1, l2=l2) if (l1 or l2) else None


def output_layer(task: str, n_outputs: int) -> keras.layers.Dense:
    """The last layer for a task: softmax over classes, one sigmoid, or one linear unit."""
    return keras.layers.Dense(n_outputs, activation=_ACTIVATIONS[task], name="output")


def compile_model(
    model: keras.Model, params: dict[str, Any], task: str, metric: str
) -> keras.Model:
    """Compiles with the task's loss, the optimizer from ``params``, and the space's metric."""
    model.compile(optimizer=make_optimizer(params), loss=_LOSSES[task], metrics=[metric])
    return model


def suggest_dense_stack(
    trial: Any,
    layers: tuple[int, int],
    units: tuple[int, int],
    dropout: tuple[float, float] | None = (0.0, 0.5),
) -> dict[str, Any]:
    """Number of dense layers, then units (and dropout) per layer that exists."""
    n_layers = trial.suggest_int("n_layers", *layers)
    params: dict[str, Any] = {"n_layers": n_layers}
    for i in range(n_layers):
        params[f"units_{i}"] = trial.suggest_int(f"units_{i}", *units, log=True)
        if dropout is not None:
            params[f"dropout_{i}"] = trial.suggest_float(f"dropout_{i}", *dropout)
    return params


def dense_stack(x, params: dict[str, Any], activation: str = "relu", initializer="glorot_uniform"):
    """Applies the dense layers described by :func:`suggest_dense_stack` to tensor ``x``."""
    for i in range(params["n_layers"]):
        x = keras.layers.Dense(
            params[f"units_{i}"],
            activation=activation,
            kernel_initializer=initializer,
            kernel_regularizer=make_regularizer(params),
        )(x)
        if params.get(f"dropout_{i}", 0.0) > 0:
            x = keras.layers.Dropout(params[f"dropout_{i}"])(x)
    return x


def mlp(
    params: dict[str, Any], input_shape: tuple, n_outputs: int, task: str, metric: str
) -> keras.Model:
    """Input -> :func:`dense_stack` -> task output, compiled: the MLP every tabular space uses."""
    inputs = keras.Input(input_shape)
    x = keras.layers.Flatten()(inputs) if len(input_shape) > 1 else inputs
    outputs = output_layer(task, n_outputs)(dense_stack(x, params))
    return compile_model(keras.Model(inputs, outputs), params, task, metric)


#: Scaler name -> a factory for the unfitted scikit-learn transformer (``none``: no
#: preprocessing). ``quantile`` maps each feature to a normal distribution through its
#: quantiles, which tames heavy tails (California's average occupancy reaches 1,243) that
#: standardizing leaves in place; its seed is fixed so a refit is identical. ``spline`` keeps
#: the standardized features and adds a cubic B-spline basis per feature with knots at its
#: quantiles: an MLP then sees where a value lies in its distribution (a piecewise encoding of
#: numbers, as in Gorishniy et al. 2022), which suits features such as latitude whose effect
#: on the target is far from monotone.
_SCALERS: dict[str, Callable[[], Any]] = {
    "standard": StandardScaler,
    "quantile": lambda: QuantileTransformer(output_distribution="normal", random_state=0),
    "spline": lambda: make_union(
        StandardScaler(), SplineTransformer(n_knots=12, degree=3, knots="quantile")
    ),
    "minmax": MinMaxScaler,
    "none": lambda: None,
}
SCALERS = tuple(_SCALERS)


def make_scaler(name: str):
    """An unfitted scikit-learn scaler by name, or ``None`` for ``none`` (see ``_SCALERS``)."""
    if name not in _SCALERS:
        raise ValueError(f"scaler must be one of {SCALERS}, but got {name=}.")
    return _SCALERS[name]()
