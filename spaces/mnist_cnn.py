"""1,000 MNIST digits, small CNN: optimizer families and their parameters, dropout, batch, epochs.

``GRID`` mirrors the course's ``GridSearchCV(cv=3)``: ``--sampler grid --folds 3``.
"""

from __future__ import annotations

import keras

from hpsearch import blocks

DATASET = "mnist_1000"
TASK = "multiclass"
METRIC = "accuracy"
DIRECTION = "maximize"
FAMILIES = ("sgd", "adam", "nadam", "adadelta", "rmsprop")

#: Every parameter ``suggest`` can ask for; a family's own ones apply only to that family.
GRID = {
    "optimizer": ["sgd", "adam", "rmsprop"],
    "learning_rate": [1e-3, 1e-2],
    "dropout": [0.25, 0.5],
    "batch_size": [32, 64],
    "epochs": [10, 20],
    "momentum": [0.9],
    "nesterov": [True],
    "beta_1": [0.9],
    "beta_2": [0.999],
    "rho": [0.9],
}


def suggest(trial) -> dict:
    params = blocks.suggest_optimizer(trial, families=FAMILIES, learning_rate=(1e-4, 1.0))
    params["dropout"] = trial.suggest_float("dropout", 0.0, 0.6)
    params["batch_size"] = trial.suggest_categorical("batch_size", [16, 32, 64, 128])
    params["epochs"] = trial.suggest_int("epochs", 5, 30, step=5)
    return params


def build(params: dict, input_shape: tuple, n_outputs: int) -> keras.Model:
    model = keras.Sequential(
        [
            keras.Input(input_shape),
            keras.layers.Conv2D(32, 3, activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Conv2D(64, 3, activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Flatten(),
            keras.layers.Dropout(params["dropout"]),
            keras.layers.Dense(64, activation="relu"),
            blocks.output_layer(TASK, n_outputs),
        ]
    )
    return blocks.compile_model(model, params, TASK, METRIC)
