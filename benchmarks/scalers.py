"""Which input scaling suits the California MLP? Fixed MLPs, each scaler, no test rows.

The MLP is the best configuration of the first ``california`` benchmark (2 layers of
320/234 units, Adam, cosine decay over the whole run: 5,820 steps at 60 epochs, past the
space's 5,000-step cap, which FixedTrial warns about), as found and with more dropout and
L2. The comparison uses a 20 % validation split of the *training* rows only, so the choice
it informs never sees the test split.
Writes ``benchmarks/results/scalers.json``.

Usage: python -m benchmarks.scalers [epochs]
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import keras
import numpy as np
from optuna.trial import FixedTrial
from sklearn.model_selection import train_test_split

from benchmarks.run_space import machine
from hpsearch import Space, load_dataset, load_space
from hpsearch._export import versions

MLP = {
    "n_layers": 2, "units_0": 320, "dropout_0": 0.08, "units_1": 234, "dropout_1": 0.07,
    "l2": 3.4e-07, "optimizer": "adam", "learning_rate": 0.002, "beta_1": 0.82,
    "beta_2": 0.991, "schedule": "cosine", "clipnorm": 5.0, "batch_size": 128,
}  # fmt: skip
# The spline basis adds 112 inputs, and with the MLP's weak regularization it overfit by epoch
# 10; the same MLP with more dropout and L2 is a fairer comparison of the scalers.
VARIANTS = {
    "as found": {},
    "regularized": {"dropout_0": 0.1, "dropout_1": 0.1, "l2": 1e-3},
}


def validation_mse(space: Space, split: tuple, mlp: dict, scaler: str, epochs: int) -> dict:
    x_fit, x_val, y_fit, y_val = split
    steps = epochs * -(-len(x_fit) // mlp["batch_size"])  # cosine decay over the whole run
    params = space.suggest(FixedTrial({**mlp, "scaler": scaler, "decay_steps": steps}))
    prep = space.make_preprocessor(params)
    features = prep.fit_transform(x_fit)
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    model = space.build(params, features.shape[1:], 1)
    started = time.time()
    history = model.fit(
        features, y_fit, validation_data=(prep.transform(x_val), y_val),
        epochs=epochs, batch_size=params["batch_size"], verbose=0,
    ).history["val_mse"]  # fmt: skip
    return {
        "best_val_mse": round(min(history), 4),
        "best_epoch": int(np.argmin(history)) + 1,
        "fit_seconds": round(time.time() - started, 1),
    }


def main(epochs: int = 60) -> None:
    space = load_space("california")
    data = load_dataset(space.dataset)
    split = train_test_split(data.x, data.y, test_size=0.2, random_state=0)
    rows: dict = {}
    for variant, changes in VARIANTS.items():
        for scaler in ("standard", "quantile", "spline"):
            result = validation_mse(space, split, MLP | changes, scaler, epochs)
            rows.setdefault(variant, {})[scaler] = result
            print(variant, scaler, result, flush=True)
    out = Path(__file__).resolve().parent / "results" / "scalers.json"
    out.write_text(json.dumps({
        "space": "california", "mlp": MLP, "variants": VARIANTS, "epochs": epochs,
        "validation": "20 % of the training rows, random_state=0", "results": rows,
        "machine": machine(), "versions": versions(),
        "command": f"python -m benchmarks.scalers {epochs}",
    }, indent=2) + "\n")  # fmt: skip


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 60)
