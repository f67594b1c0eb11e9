"""Does batch norm's momentum matter on a search fold? One fixed CNN, two momenta, no test rows.

The CNN is trial 1 of a ``fashion_cnn`` search on a 20 % subsample (batch norm, batch 256:
24 optimizer steps per epoch on a 6,000-image fold), with the filters the space now draws
(16/32/64; the trial had 16/128/32). With Keras' default momentum of 0.99 the trial's
validation accuracy fell while it trained, so early stopping ended the fold at epoch 4; the
space now uses 0.9. Fit on 6,000 training images, validated on 6,000 others, all from the
training split. Writes ``results/bn_momentum.json``.

Usage: python -m benchmarks.bn_momentum [epochs]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import keras
import numpy as np
from optuna.trial import FixedTrial

from benchmarks.run_space import machine
from hpsearch import Space, load_dataset, load_space
from hpsearch._export import versions

CNN = {
    "n_blocks": 3, "filters": 16, "convs_per_block": 1,
    "kernel_size": 3, "pooling": "average", "batch_norm": True, "spatial_dropout": 0.291,
    "initializer": "glorot_uniform", "l2": 4.75e-06, "n_layers": 1, "units_0": 136,
    "dropout_0": 0.178, "optimizer": "nadam", "learning_rate": 0.00033, "beta_1": 0.874,
    "beta_2": 0.998, "schedule": "cosine", "decay_steps": 475, "batch_size": 256,
}  # fmt: skip


def validation_curve(space: Space, momentum: float, data: tuple, epochs: int) -> list[float]:
    """Validation accuracy per epoch with every batch-norm layer at ``momentum``."""
    x_fit, y_fit, x_val, y_val = data
    keras.backend.clear_session()
    keras.utils.set_random_seed(3)
    model = space.build(space.suggest(FixedTrial(CNN)), x_fit.shape[1:], 10)
    for layer in model.layers:  # read when fit traces the training step, so this takes effect
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.momentum = momentum
    history = model.fit(
        x_fit, y_fit, validation_data=(x_val, y_val), epochs=epochs,
        batch_size=CNN["batch_size"], verbose=0,
    ).history  # fmt: skip
    return [round(v, 3) for v in history["val_accuracy"]]


def main(epochs: int = 5) -> None:
    space = load_space("fashion_cnn")
    data = load_dataset(space.dataset)
    rows = np.random.default_rng(0).choice(len(data.y), 12_000, replace=False)
    x, y = data.x[rows].astype("float32"), data.y[rows]
    split = (x[:6000], y[:6000], x[6000:], y[6000:])
    results = {}
    for momentum in (0.99, 0.9):
        results[str(momentum)] = validation_curve(space, momentum, split, epochs)
        print(momentum, results[str(momentum)], flush=True)
    out = Path(__file__).resolve().parent / "results" / "bn_momentum.json"
    out.write_text(json.dumps({
        "space": "fashion_cnn", "cnn": CNN, "epochs": epochs,
        "data": "6,000 + 6,000 training images (rng seed 0)",
        "val_accuracy_per_epoch": results,
        "machine": machine(), "versions": versions(),
        "command": f"python -m benchmarks.bn_momentum {epochs}",
    }, indent=2) + "\n")  # fmt: skip


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
