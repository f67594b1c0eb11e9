"""Trials per hour with 1 and 2 workers, and the time a trial spends outside Keras's fit.

    python -m benchmarks.scale [--postgres URL]

Each run is a fresh study of a fixed number of trials with no pruner (every trial does the
same kind of work), through the real CLI in its own process. From the study: trials per
hour of wall time; per trial, the seconds inside the trial but outside ``model.fit`` (storage
writes, sampling, model building, preprocessing); and per trial the wall time not inside any
trial (process start, TensorFlow import, data load, waiting), summed over workers. Writes
``benchmarks/results/scale.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import optuna

from hpsearch._export import versions

RESULTS = Path(__file__).parent / "results" / "scale.json"
HPSEARCH = str(Path(sys.executable).with_name("hpsearch"))
#: (label, space, arguments): small enough for 2 cores, the same budget at 1 and 2 workers.
TASKS = [
    ("california", "california", ["--trials", "16", "--subsample", "0.25", "--max-epochs", "10"]),
    ("fashion_mlp small", "fashion_mlp",
     ["--trials", "8", "--subsample", "0.05", "--max-epochs", "5"]),
]  # fmt: skip


def run(space: str, args: list[str], storage: str, workers: int) -> dict:
    """One search; returns its figures."""
    name = f"scale_{uuid.uuid4().hex[:8]}"
    command = [HPSEARCH, "optimize", space, *args, "--folds", "3", "--seed", "0", "--pruner",
               "none", "--no-final", "--workers", str(workers), "--storage", storage,
               "--study-name", name]  # fmt: skip
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - started
    trials = [t for t in optuna.load_study(study_name=name, storage=storage).trials
              if t.state.is_finished() and "fit_seconds" in t.user_attrs]  # fmt: skip
    durations = [(t.datetime_complete - t.datetime_start).total_seconds() for t in trials]
    fits = [sum(t.user_attrs["fit_seconds"]) for t in trials]
    outside_fit = [d - f for d, f in zip(durations, fits, strict=True)]
    return {
        "space": space, "workers": workers, "storage": storage.split(":")[0],
        "command": " ".join(["hpsearch", *command[1:-4], "--storage", "URL"]),
        "wall_seconds": round(wall, 1), "trials": len(trials),
        "trials_per_hour": round(len(trials) / wall * 3600, 1),
        "seconds_in_trial_outside_fit": round(statistics.mean(outside_fit), 2),
        "seconds_outside_trials_per_trial": round((wall * workers - sum(durations))
                                                  / len(trials), 2),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", help="Also time 1 worker on this PostgreSQL URL.")
    chosen = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    sqlite = f"sqlite:///{folder}/scale.db"
    rows = [run(space, args, sqlite, workers) | {"task": label}
            for label, space, args in TASKS for workers in (1, 2)]  # fmt: skip
    if chosen.postgres:
        label, space, args = TASKS[0]
        rows.append(run(space, args, chosen.postgres, 1) | {"task": label})
    result = {
        "machine": f"{os.cpu_count()} cores, no GPU", "versions": versions(), "runs": rows,
        "note": "No GPU was lent to the session that ran this; the GPU comparison is not run.",
    }  # fmt: skip
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
