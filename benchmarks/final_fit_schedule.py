"""Final-fit recipe on training rows only: learning-rate decay stretched or not.

The final fit trains all training rows for the folds' best epoch count. A decaying schedule
counts optimizer steps, so on more rows per epoch it either keeps its curve per step
(unstretched: the rate falls faster per epoch than in the folds) or per epoch (stretched by
all rows over a fold's rows). For each benchmark result with a decaying schedule, this fits
its configuration through the engine's fit path on 80 % of the training rows, both ways, and
scores the other 20 % after the last epoch, as the final fit would stop. The test split is
never read. Writes ``benchmarks/results/final_fit_schedule.json``.

Usage: python -m benchmarks.final_fit_schedule SPACE [SPACE ...]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from optuna.trial import FixedTrial
from sklearn.model_selection import train_test_split

from benchmarks.run_space import machine
from hpsearch import blocks, load_dataset, load_space
from hpsearch._export import versions
from hpsearch._final import schedule_stretch
from hpsearch._fit import fit_model

HERE = Path(__file__).resolve().parent
HELD_OUT = 0.2


def compare(space_name: str) -> dict:
    """Held-out score of one result's configuration, decay unstretched and stretched."""
    config = json.loads((HERE / "results" / f"{space_name}.json").read_text())
    space = load_space(space_name)
    dataset = load_dataset(space.dataset, None)
    stratify = dataset.y if space.task != "regression" else None
    x_fit, x_val, y_fit, y_val = train_test_split(
        dataset.x, dataset.y, test_size=HELD_OUT, random_state=0, stratify=stratify
    )
    # The final fit's factor is all rows over a fold's rows; this fit has 80 % of all rows.
    stretch = (1 - HELD_OUT) * schedule_stretch(config["settings"])
    params = space.suggest(FixedTrial(config["params"]))
    scores = {}
    for label, factor in (("unstretched", 1.0), ("stretched", stretch)):
        result = fit_model(
            space, blocks.stretch_schedule(params, factor), x_fit, y_fit,
            epochs=config["epochs"], seed=config["seed"], validation=(x_val, y_val),
            n_classes=len(dataset.class_names or ()) or None,
        )  # fmt: skip
        scores[label] = round(result.history[space.monitor][-1], 4)
    return {
        "metric": space.metric,
        "schedule": params["schedule"],
        "epochs": config["epochs"],
        "stretch": round(stretch, 3),
        **scores,
    }


def main(spaces: list[str]) -> None:
    """Compares each space and adds it to the results file, keeping the spaces run before."""
    out = HERE / "results" / "final_fit_schedule.json"
    runs = json.loads(out.read_text())["runs"] if out.exists() else {}
    for name in spaces:
        runs[name] = compare(name) | {
            "machine": machine(),
            "versions": versions(),
            "command": f"python -m benchmarks.final_fit_schedule {' '.join(spaces)}",
        }
        print(name, json.dumps(runs[name]))
    out.write_text(json.dumps({"held_out": HELD_OUT, "runs": runs}, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
