"""A finished trial's training graphs are freed: TensorFlow's gradient registry lets them go."""

from __future__ import annotations

import gc

import keras
import numpy as np
from sklearn.datasets import load_breast_cancer
from tensorflow.python.eager import context

import hpsearch
from hpsearch import _graphs
from hpsearch._graphs import released_custom_gradients
from tests.test_api import SPACE


def _fit_a_model(units: int) -> None:
    x = np.random.default_rng(0).normal(size=(64, 8)).astype("float32")
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(units, activation="relu"),
                              keras.layers.Dense(1)])  # fmt: skip
    model.compile("adam", "mse")
    model.fit(x, x[:, 0], epochs=1, batch_size=16, verbose=0)


def _eager_functions() -> int:
    keras.backend.clear_session(free_memory=False)
    gc.collect()
    return len(context.context().list_function_names())


def _custom_gradients() -> set[str]:
    return {name for name in _graphs._registry() if name.startswith(_graphs._PREFIX)}


def test_models_trained_one_after_another_leave_nothing_registered():
    with released_custom_gradients():
        _fit_a_model(4)  # the first fit also makes what TensorFlow keeps for good
    registered, functions = _custom_gradients(), _eager_functions()
    for units in (8, 16, 32):
        with released_custom_gradients():
            _fit_a_model(units)
        assert _custom_gradients() == registered
        assert _eager_functions() == functions  # each model's train step was freed


def test_registrations_from_before_the_block_are_kept():
    _fit_a_model(4)  # outside any trial, like a user's own model
    kept = _custom_gradients()
    assert kept, "Keras's train step registers a custom gradient"
    with released_custom_gradients():
        _fit_a_model(8)
    assert _custom_gradients() == kept


def test_a_search_in_this_process_leaves_no_trials_graphs_behind():
    x, y = load_breast_cancer(return_X_y=True)
    before = _custom_gradients()
    hpsearch.optimize(SPACE, hpsearch.Data(x, y), trials=3, folds=2, max_epochs=2, seed=0,
                      final=False, echo=lambda line: None)  # fmt: skip
    assert _custom_gradients() == before
