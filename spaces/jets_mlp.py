"""hls4ml LHC jet tagging (16 features, 5 classes): the 64-32-32 MLP family, scaling, L1."""

from __future__ import annotations

import keras

from hpsearch import blocks

DATASET = "jets"
TASK = "multiclass"
METRIC = "accuracy"
DIRECTION = "maximize"


def suggest(trial) -> dict:
    params = {"scaler": trial.suggest_categorical("scaler", list(blocks.SCALERS))}
    n_layers = trial.suggest_int("n_layers", 2, 4)
    params["n_layers"] = n_layers
    for i in range(n_layers):
        params[f"units_{i}"] = trial.suggest_categorical(f"units_{i}", [16, 32, 64, 128])
    params["l1"] = trial.suggest_float("l1", 1e-6, 1e-2, log=True)
    params |= blocks.suggest_optimizer(trial, families=("sgd", "adam"), learning_rate=(1e-4, 1e-1))
    params["batch_size"] = trial.suggest_categorical("batch_size", [256, 512, 1024])
    return params


def preprocessor(params: dict):
    return blocks.make_scaler(params["scaler"])


def build(params: dict, input_shape: tuple, n_outputs: int) -> keras.Model:
    return blocks.mlp(params, input_shape, n_outputs, TASK, METRIC)
