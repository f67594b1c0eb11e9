"""One fit: a trial's folds share one compiled model, reset to its untrained state each time."""

from __future__ import annotations

import numpy as np
import optuna
import pytest

from hpsearch import load_dataset, load_space
from hpsearch._fit import FoldModels, fit_model
from tests.conftest import space_file


def _fit(space, data, params, rows, reuse, *, seed=0, epochs=2):
    return fit_model(space, params, data.x[rows], data.y[rows], epochs=epochs, seed=seed,
                     reuse=reuse)  # fmt: skip


@pytest.fixture()
def tiny(data_dir):
    """The tiny space, the California fixture and one sampled configuration."""
    space = load_space(file=space_file("tiny"))
    params = space.suggested(optuna.create_study().ask())
    return space, load_dataset("california", data_dir), params


def test_a_fold_starts_from_the_untrained_model_and_a_fresh_optimizer(tiny):
    space, data, params = tiny
    models = FoldModels()
    first = _fit(space, data, params, slice(0, 400), models)
    untrained = [np.array(w) for w in models._weights]
    trained = first.model.get_weights()
    assert any(not np.allclose(a, b) for a, b in zip(trained, untrained, strict=True))
    assert int(first.model.optimizer.iterations) > 0

    second = _fit(space, data, params, slice(400, 800), models, seed=1)
    assert second.model is first.model  # reused, not rebuilt
    # The reference: the same untrained model (built from seed 0, never trained) fit on the
    # second fold's rows with its seed. A reset that left trained weights or optimizer
    # moments behind would give another loss curve.
    untouched = FoldModels()
    _fit(space, data, params, slice(0, 400), untouched, epochs=0)
    reference = _fit(space, data, params, slice(400, 800), untouched, seed=1)
    assert np.allclose(reference.history["loss"], second.history["loss"])
    assert int(second.model.optimizer.iterations) == int(reference.model.optimizer.iterations)


def test_a_model_with_another_input_shape_is_built_anew(tiny):
    space, data, params = tiny
    models = FoldModels()
    first = _fit(space, data, params, slice(0, 300), models)
    narrow = fit_model(space, params, data.x[:300, :4], data.y[:300], epochs=1, seed=0,
                       reuse=models)  # fmt: skip
    assert narrow.model is not first.model
    assert narrow.model.input_shape[1:] == (4,)


def test_a_model_built_only_by_its_first_fit_is_not_kept():
    import keras

    model = keras.Sequential([keras.layers.Dense(1)])  # no input shape: no variables yet
    model.compile(optimizer="adam", loss="mse")
    models = FoldModels()
    models.keep(model, ((3,), 1))
    assert models.model is None and not models.reusable(((3,), 1))


def test_the_training_loop_runs_several_batches_per_call_to_the_same_weights(tiny, monkeypatch):
    import hpsearch._fit as fit

    space, data, params = tiny
    rows = slice(0, 1000)  # 16 batches of 64: calls of 16, 4 and 1 split them differently
    runs = {}
    for steps in (1, 4, 16):
        monkeypatch.setattr(fit, "STEPS_PER_EXECUTION", steps)
        result = _fit(space, data, params, rows, None, epochs=3)
        assert result.model.steps_per_execution == steps
        runs[steps] = (result.history["loss"], result.model.get_weights())
    for steps in (4, 16):
        assert runs[steps][0] == runs[1][0]  # bit for bit, not approximately
        for ours, theirs in zip(runs[steps][1], runs[1][1], strict=True):
            np.testing.assert_array_equal(ours, theirs)


def test_a_space_that_chose_its_steps_per_execution_keeps_it():
    import keras

    from hpsearch._fit import STEPS_PER_EXECUTION, batches_per_call

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse", steps_per_execution=5)
    batches_per_call(model)
    assert model.steps_per_execution == 5
    model.compile(optimizer="adam", loss="mse")
    batches_per_call(model)
    assert model.steps_per_execution == STEPS_PER_EXECUTION > 1


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_other_backends_keep_one_batch_per_call(backend, monkeypatch):
    # PyTorch's trainer refuses steps_per_execution > 1; JAX's loops in Python around one
    # jitted batch, so several per call would only thin out the batch hooks.
    import keras

    import hpsearch._fit as fit

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    monkeypatch.setattr(fit.keras.backend, "backend", lambda: backend)
    fit.batches_per_call(model)
    assert model.steps_per_execution == 1


def test_a_trial_seeds_the_backend_once_and_its_later_folds_still_repeat(tiny, monkeypatch):
    # Reseeding TensorFlow clears its eager caches, which a reused model's next fold pays
    # for (``seed_fit``); the later folds' shuffles must still follow from the trial's seed.
    import keras
    import tensorflow as tf

    space, data, params = tiny
    backend_seeds = []
    seed_all = keras.utils.set_random_seed
    monkeypatch.setattr(keras.utils, "set_random_seed",
                        lambda seed: (backend_seeds.append(seed), seed_all(seed)))  # fmt: skip

    def trial(seed):
        models, losses = FoldModels(), []
        for fold, rows in enumerate((slice(0, 400), slice(400, 800), slice(800, 1200))):
            result = _fit(space, data, params, rows, models, seed=seed + fold, epochs=3)
            losses.append(result.history["loss"])
            tf.random.uniform((5,))  # eager draws between folds move no fold's shuffle
        return losses

    first = trial(10)
    tf.random.uniform((7,))
    assert trial(10) == first  # bit for bit
    assert backend_seeds == [10, 10]  # once per trial, on its first fold


def _count_traces(monkeypatch) -> list[int]:
    """Counts calls of Keras's TensorFlow ``train_step``: Python runs it only while tracing."""
    from keras.src.backend.tensorflow.trainer import TensorFlowTrainer

    calls, step = [0], TensorFlowTrainer.train_step

    def counted(self, data):
        calls[0] += 1
        return step(self, data)

    monkeypatch.setattr(TensorFlowTrainer, "train_step", counted)
    return calls


def test_a_new_model_s_training_loop_is_traced_once_to_the_same_weights(tiny, monkeypatch):
    import hpsearch._fit as fit

    space, data, params = tiny
    traces, runs = _count_traces(monkeypatch), {}
    shipped = fit.build_training_state
    for label, build in (("shipped", shipped), ("keras", lambda *args: None)):
        monkeypatch.setattr(fit, "build_training_state", build)
        traces[0] = 0
        result = fit_model(space, params, data.x[:600], data.y[:600], epochs=2, seed=0,
                           validation=(data.x[600:800], data.y[600:800]))  # fmt: skip
        runs[label] = (traces[0], result.history, result.model.get_weights())
    # Keras left alone makes the optimizer's and the metrics' variables in its first trace,
    # so TensorFlow traces the loop again; made beforehand, one trace is enough.
    assert runs["shipped"][0] == 1 < runs["keras"][0]
    assert runs["shipped"][1] == runs["keras"][1]  # bit for bit, validation included
    for ours, theirs in zip(runs["shipped"][2], runs["keras"][2], strict=True):
        np.testing.assert_array_equal(ours, theirs)


def test_a_model_that_is_not_compiled_or_not_built_is_left_to_keras():
    import keras

    from hpsearch._fit import build_training_state

    x, y = np.ones((2, 3), "float32"), np.ones((2, 1), "float32")
    unbuilt = keras.Sequential([keras.layers.Dense(1)])
    unbuilt.compile(optimizer="adam", loss="mse", metrics=["mae"])
    build_training_state(unbuilt, x, y)
    assert not unbuilt.built and not unbuilt.optimizer.built
    uncompiled = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    build_training_state(uncompiled, x, y)  # no optimizer: nothing to make, no error
    assert getattr(uncompiled, "optimizer", None) is None and not uncompiled.compiled
