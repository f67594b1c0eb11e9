"""How a fit's arrays reach Keras's training loop: a plain ``tf.data`` pipeline where small.

Keras feeds NumPy arrays through its own ``tf.data`` pipeline (``ArrayDataAdapter``: a
shuffled index permutation, a batched gather, a parallel map) and opens a new iterator over
it for every epoch of training and every validation pass. For the small tables this engine
searches most, opening it costs more than the epoch's training: an MLP on 2,222 rows of
``california``'s shape trained an epoch in ~85 ms that way and in ~35 ms from the pipeline
below (benchmarks README, "Round 30"). That pipeline slices the rows, shuffles them in a
buffer of all of them and batches them, which is cheap to open while the rows are few; for
large arrays the buffer's copies cost more than Keras's gather, so inputs over
:data:`MAX_FEED_BYTES` go to Keras as they are.

Either way an epoch is one full pass over the rows in a fresh order, in batches of
``batch_size`` with the remainder last, and floats reach the model as Keras's ``floatx``.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

#: Training inputs up to this size are fed through :func:`fit_arrays`'s own pipeline.
MAX_FEED_BYTES = 32 * 2**20

#: Keras ``fit`` options that act on arrays; a fit given any of them keeps Keras's feed.
ARRAY_OPTIONS = frozenset(
    {"shuffle", "sample_weight", "class_weight", "validation_split", "validation_batch_size",
     "steps_per_epoch", "validation_steps"}
)  # fmt: skip


def fit_arrays(
    model: keras.Model, x: Any, y: Any, *, batch_size: int | None = None, **fit_kwargs: Any
):
    """``model.fit(x, y, batch_size=..., **fit_kwargs)``, on a faster feed where it applies.

    The shuffle's seed is drawn from NumPy's global stream, which the engine seeds before
    each fit (``hpsearch._fit.seed_fit``), so the order of every epoch is a function of the
    fit's seed.

    Returns:
        Keras's ``History``.
    """
    validation = fit_kwargs.get("validation_data")
    if not _feedable(x, y, validation, fit_kwargs):
        return model.fit(x, y, batch_size=batch_size, **fit_kwargs)
    batch_size = batch_size or 32  # Keras's default
    seed = int(np.random.randint(2**31 - 1))
    train, fit_kwargs["validation_data"] = datasets(x, y, validation, batch_size, seed=seed)
    return model.fit(train, shuffle=False, **fit_kwargs)  # shuffled by ``datasets``


def datasets(x: np.ndarray, y: np.ndarray, validation: tuple | None, batch_size: int, *,
             seed: int) -> tuple[Any, Any]:  # fmt: skip
    """The training rows as a dataset of ``batch_size`` batches, shuffled anew each pass
    from ``seed``, and the validation rows (or ``None``) batched in order."""
    import tensorflow as tf  # only on the TensorFlow backend (``_feedable``)

    def rows(x: np.ndarray, y: np.ndarray):
        return tf.data.Dataset.from_tensor_slices((_floatx(x), _floatx(y)))

    train = rows(x, y).shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    val = None if validation is None else rows(*validation).batch(batch_size)
    return train.batch(batch_size), val


def _feedable(x: Any, y: Any, validation: Any, fit_kwargs: dict[str, Any]) -> bool:
    """Whether :func:`fit_arrays` feeds this fit itself: single NumPy arrays of at most
    :data:`MAX_FEED_BYTES`, validation as an ``(x, y)`` pair or none, on the TensorFlow
    backend, with none of :data:`ARRAY_OPTIONS`."""
    pair = isinstance(validation, tuple | list) and len(validation) == 2
    arrays = (x, y, *(validation if pair else ()))
    return (
        keras.backend.backend() == "tensorflow"
        and (validation is None or pair)
        and all(isinstance(a, np.ndarray) for a in arrays)
        and x.nbytes <= MAX_FEED_BYTES
        and not fit_kwargs.keys() & ARRAY_OPTIONS
    )


def _floatx(array: np.ndarray) -> np.ndarray:
    """Floats as Keras's ``floatx``, as Keras itself casts arrays; other dtypes as they are."""
    if np.issubdtype(array.dtype, np.floating):
        return array.astype(keras.config.floatx(), copy=False)
    return array
