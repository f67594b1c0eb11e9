"""What reseeding TensorFlow costs a reused fold model's next fit.

Until round 29 ``hpsearch._fit.fit_model`` called ``keras.utils.set_random_seed`` before every
fold, also for folds 2..K, which reuse the trial's traced model (``FoldModels``); since then
it seeds TensorFlow once per trial (``seed_fit``), because of what this measured. TensorFlow's
``set_seed`` clears the eager context's caches, so the next call of the traced train and test
functions pays again for part of what the first fold paid. This probe fits one
``california``-space MLP (two layers of 64 units, batch 64, 16 batches per call, as the
engine runs it) on random arrays of a fold's shape. The first fit traces. Then come further
4-epoch fits on new arrays of the same shapes, in turns with and without
``keras.utils.set_random_seed`` before the fit. For each fit it records the first epoch's
seconds minus the median of its later three. It reads no data set and decides nothing.

Usage:
    python -m benchmarks.reseed_cost [PAIRS]   # results/reseed_cost.json, 8 pairs
"""

from __future__ import annotations

import json
import sys
import time

import keras
import numpy as np

import hpsearch
from benchmarks.run_space import machine
from benchmarks.vs_kerastuner import HERE, engine_commit
from hpsearch._export import versions
from hpsearch._fit import batches_per_call

PARAMS = {
    "scaler": "standard", "n_layers": 2, "units_0": 64, "dropout_0": 0.1, "units_1": 64,
    "dropout_1": 0.1, "l2": 1e-5, "optimizer": "adam", "learning_rate": 1e-3, "beta_1": 0.9,
    "beta_2": 0.999, "schedule": "constant", "clipnorm": 1.0, "batch_size": 64,
}  # fmt: skip
TRAIN_ROWS, VALIDATION_ROWS, EPOCHS = 3333, 1667, 4


class _EpochEnds(keras.callbacks.Callback):
    def on_train_begin(self, logs=None) -> None:
        self.times = [time.perf_counter()]

    def on_epoch_end(self, epoch, logs=None) -> None:
        self.times.append(time.perf_counter())


def first_epoch_excess(model: keras.Model, rng: np.random.Generator, *, reseed: int | None
                       ) -> float:  # fmt: skip
    """One fit on new random arrays; its first epoch's seconds minus its later ones' median."""
    if reseed is not None:
        keras.utils.set_random_seed(reseed)
    x, x_val = (rng.normal(size=(n, 8)).astype("float32") for n in (TRAIN_ROWS, VALIDATION_ROWS))
    y, y_val = (rng.normal(size=n).astype("float32") for n in (TRAIN_ROWS, VALIDATION_ROWS))
    ends = _EpochEnds()
    model.fit(x, y, batch_size=PARAMS["batch_size"], epochs=EPOCHS, verbose=0,
              validation_data=(x_val, y_val), callbacks=[ends])  # fmt: skip
    durations = np.diff(ends.times)
    return float(durations[0] - np.median(durations[1:]))


def main(pairs: int) -> None:
    space = hpsearch.load_space("california")
    rng = np.random.default_rng(0)
    keras.utils.set_random_seed(0)
    model = space.build(PARAMS, (8,), 1)
    batches_per_call(model)
    traced = first_epoch_excess(model, rng, reseed=None)
    seconds: dict[str, list[float]] = {"reseeded": [], "not_reseeded": []}
    for pair in range(pairs):  # in turns, so drift falls on both alike
        seconds["reseeded"].append(first_epoch_excess(model, rng, reseed=pair))
        seconds["not_reseeded"].append(first_epoch_excess(model, rng, reseed=None))
    result = {
        "command": f"python -m benchmarks.reseed_cost {pairs}",
        "first_fit_excess_seconds": round(traced, 3),
        "median_excess_seconds": {k: round(float(np.median(v)), 3) for k, v in seconds.items()},
        "excess_seconds": {k: [round(s, 3) for s in v] for k, v in seconds.items()},
        "machine": machine(), "versions": versions(), "commit": engine_commit(),
    }  # fmt: skip
    (HERE / "results" / "reseed_cost.json").write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({k: result[k] for k in list(result)[:3]}, indent=1))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 8)
