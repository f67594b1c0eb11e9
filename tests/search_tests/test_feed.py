"""The engine's feed of arrays to Keras (``hpsearch._feed``)."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from sklearn.datasets import load_diabetes

from hpsearch import _feed


def _passes(dataset, passes: int) -> list[list[np.ndarray]]:
    """Each pass over ``dataset`` as its list of input batches."""
    return [[x.numpy() for x, _ in dataset] for _ in range(passes)]


def test_each_pass_is_every_row_once_in_batches_with_the_remainder_last():
    x, y = np.arange(10, dtype=np.float64).reshape(10, 1), np.arange(10)
    train, val = _feed.datasets(x, y, (x[:3], y[:3]), batch_size=4, seed=1)
    first, second = _passes(train, 2)
    for batches in (first, second):
        assert [len(b) for b in batches] == [4, 4, 2]
        assert sorted(np.concatenate(batches).ravel()) == list(range(10))
        assert batches[0].dtype == np.float32  # as Keras casts float arrays
    assert not np.array_equal(np.concatenate(first), np.concatenate(second))  # reshuffled
    assert np.concatenate([x for x, _ in val]).ravel().tolist() == [0, 1, 2]  # in order


def test_the_same_seed_gives_the_same_orders_and_another_seed_others():
    x, y = np.arange(32).reshape(32, 1), np.zeros(32)
    orders = [np.concatenate(sum(_passes(_feed.datasets(x, y, None, 8, seed=s)[0], 2), []))
              for s in (5, 5, 6)]  # fmt: skip
    assert np.array_equal(orders[0], orders[1])
    assert not np.array_equal(orders[0], orders[2])


class _RecordingModel:
    """Stands in for a Keras model: records what ``fit`` was given."""

    def fit(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs


@pytest.mark.parametrize(
    ("extra", "limit"),
    [
        ({}, 0),
        ({"sample_weight": np.ones(8)}, None),
        ({"validation_split": 0.25}, None),
        ({"validation_data": (np.ones((2, 2)), np.zeros(2), np.ones(2))}, None),
    ],
    ids=["over-the-size-limit", "sample-weight", "validation-split", "weighted-validation"],
)
def test_keras_feeds_what_the_pipeline_does_not_cover(monkeypatch, extra, limit):
    if limit is not None:
        monkeypatch.setattr(_feed, "MAX_FEED_BYTES", limit)
    model, x, y = _RecordingModel(), np.ones((8, 2)), np.zeros(8)
    _feed.fit_arrays(model, x, y, batch_size=4, epochs=1, **extra)
    assert model.args[0] is x and model.kwargs["batch_size"] == 4


def test_small_arrays_reach_keras_as_a_dataset_without_keras_shuffling():
    model, x, y = _RecordingModel(), np.ones((8, 2)), np.zeros(8)
    _feed.fit_arrays(model, x, y, batch_size=4, epochs=1, validation_data=(x, y))
    import tensorflow as tf

    assert isinstance(model.args[0], tf.data.Dataset)
    assert isinstance(model.kwargs["validation_data"], tf.data.Dataset)
    assert model.kwargs["shuffle"] is False and "batch_size" not in model.kwargs


def test_a_model_trains_as_well_on_either_feed(monkeypatch):
    """Real data (scikit-learn's diabetes), one small MLP, three seeds: the validation
    losses of the two feeds agree within 10 %; only the order of the rows differs."""
    x, y = load_diabetes(return_X_y=True)
    x, y = (x - x.mean(0)) / x.std(0), (y - y.mean()) / y.std()
    train, val = slice(0, 330), slice(330, None)
    engine_limit = _feed.MAX_FEED_BYTES

    def val_loss(limit: int, seed: int) -> float:
        monkeypatch.setattr(_feed, "MAX_FEED_BYTES", limit)
        keras.utils.set_random_seed(seed)
        model = keras.Sequential([keras.Input((10,)), keras.layers.Dense(16, activation="relu"),
                                  keras.layers.Dense(1)])  # fmt: skip
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
        history = _feed.fit_arrays(model, x[train], y[train], batch_size=32, epochs=15,
                                   validation_data=(x[val], y[val]), verbose=0)  # fmt: skip
        return min(history.history["val_loss"])

    for seed in range(3):
        keras_loss, engine_loss = val_loss(0, seed), val_loss(engine_limit, seed)
        assert keras_loss < 0.8 and engine_loss < 0.8  # both learned (variance is 1)
        assert abs(engine_loss / keras_loss - 1) < 0.1
