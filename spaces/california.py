"""California housing regression (target in $100k): MLP, SGD/momentum/Adam, schedules, clipping."""

from __future__ import annotations

import keras

from hpsearch import blocks

DATASET = "california"
TASK = "regression"
METRIC = "mse"
DIRECTION = "minimize"
#: The cost-related parameters at their cheap end (``--start low-cost``): one layer of the
#: fewest units, the largest batch.
LOW_COST = {"n_layers": 1, "units_0": 16, "batch_size": 256}


def suggest(trial) -> dict:
    # On a validation split of the training rows, quantile scaling beat standardizing and a
    # spline basis beat both once the MLP was regularized (benchmarks.scalers), so all three
    # are searched.
    params = {"scaler": trial.suggest_categorical("scaler", ["standard", "quantile", "spline"])}
    params |= blocks.suggest_dense_stack(trial, layers=(1, 4), units=(16, 512), dropout=(0.0, 0.3))
    params["l2"] = trial.suggest_float("l2", 1e-7, 1e-2, log=True)
    params |= blocks.suggest_optimizer(trial, families=("sgd", "adam"), learning_rate=(1e-4, 1e-1))
    params |= blocks.suggest_schedule(trial)
    params["clipnorm"] = trial.suggest_categorical("clipnorm", [0.0, 1.0, 5.0])
    params["batch_size"] = trial.suggest_categorical("batch_size", [32, 64, 128, 256])
    return params


def preprocessor(params: dict):
    """Features span very different ranges and tails; scaled on each training fold only."""
    return blocks.make_scaler(params["scaler"])


def build(params: dict, input_shape: tuple, n_outputs: int) -> keras.Model:
    return blocks.mlp(params, input_shape, n_outputs, TASK, METRIC)
