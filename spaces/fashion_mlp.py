"""Fashion-MNIST MLP on standardized pixels: layers, units, L1, L2, dropout, RMSprop/Adam."""

from __future__ import annotations

import keras
import numpy as np
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from hpsearch import blocks

DATASET = "fashion_mnist"
TASK = "multiclass"
METRIC = "accuracy"
DIRECTION = "maximize"
#: The cost-related parameters at their cheap end (``--start low-cost``): one layer of the
#: fewest units, the largest batch.
LOW_COST = {"n_layers": 1, "units_0": 16, "batch_size": 256}
#: A model known to train well and cheaply here (``--start baseline``): TensorFlow's "Basic
#: classification" tutorial's, in this space's terms. One ReLU layer of 128 units, no dropout
#: or regularization (L1 and L2 at their floor), Adam with Keras's defaults, a constant rate;
#: the tutorial's batch of 32 is below the space's choices, so the nearest, 64.
BASELINE = {
    "n_layers": 1, "units_0": 128, "dropout_0": 0.0, "l1": 1e-8, "l2": 1e-8,
    "optimizer": "adam", "learning_rate": 1e-3, "beta_1": 0.9, "beta_2": 0.999,
    "schedule": "constant", "batch_size": 64,
}  # fmt: skip


def suggest(trial) -> dict:
    params = blocks.suggest_dense_stack(trial, layers=(1, 3), units=(16, 1568), dropout=(0.0, 0.5))
    params["l1"] = trial.suggest_float("l1", 1e-8, 1e-3, log=True)
    params["l2"] = trial.suggest_float("l2", 1e-8, 1e-2, log=True)
    params |= blocks.suggest_optimizer(
        trial, families=("rmsprop", "adam"), learning_rate=(1e-4, 1e-2)
    )
    params |= blocks.suggest_schedule(trial)
    params["batch_size"] = trial.suggest_categorical("batch_size", [64, 128, 256])
    return params


def _flatten(x: np.ndarray) -> np.ndarray:
    return x.reshape(len(x), -1)


def preprocessor(params: dict):
    """28x28 images -> 784 standardized features (statistics from the training fold only)."""
    return make_pipeline(FunctionTransformer(_flatten), StandardScaler())


def build(params: dict, input_shape: tuple, n_outputs: int) -> keras.Model:
    return blocks.mlp(params, input_shape, n_outputs, TASK, METRIC)
