"""Does a run's place in a back-to-back sequence move when its first trials end?

In rounds 34 and 36 (benchmarks README, "Round 36, the `california` half") the two arms of a
pair trained the same first two configurations, yet where the defaults ran second they
finished them 2.1-6.6 s later in five of six pairs. This probe runs the same search, seed and
data many times, each in its own process, back to back, in a fixed order of two arms
(:data:`ORDER`), and records when each run's first trials ended. A short search of the
vs-KerasTuner benchmark's data and settings (``run_hpsearch``), no final fit, no test score:
it decides nothing about the engine, only how far the A/B rounds' first checkpoints can be
read (README, "Probe: run order").

Usage:
    python -m benchmarks.run_order [TASK [SEED [SECONDS]]]   # results/run_order.json
"""

from __future__ import annotations

import time

PROCESS_STARTED = time.time()  # before TensorFlow's import, which the probe times too

import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

#: The arms and their order (round 36's): each runs four times, twice right after the other
#: arm; the defaults also run first and once after themselves, the candidate twice after itself.
ORDER = ("hpsearch", "hpsearch_hb_pruner", "hpsearch_hb_pruner", "hpsearch",
         "hpsearch", "hpsearch_hb_pruner", "hpsearch_hb_pruner", "hpsearch")  # fmt: skip
FIRST_TRIALS = 3


def one_run(arm: str, task_name: str, seed: int, seconds: float) -> dict[str, Any]:
    """One short search in this process: when its first finished trials ended, counted from
    the search's start, and how long the process took to get there."""
    import optuna

    import hpsearch
    from benchmarks.vs_kerastuner import bench_dataset, run_hpsearch
    from benchmarks.vs_kerastuner_rounds import TASKS

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    space = hpsearch.load_space(TASKS[task_name].space)
    dataset = bench_dataset(TASKS[task_name])
    search_started = time.time()
    with tempfile.TemporaryDirectory(prefix="run_order_") as folder:
        timeline, costs = run_hpsearch(space, dataset, seed, Path(folder), arm, seconds)
    return {
        "arm": arm,
        "seconds_before_search": round(search_started - PROCESS_STARTED, 2),
        "first_trials_ended": [round(t.seconds, 2) for t in timeline[:FIRST_TRIALS]],
        "first_trial_seeds": [t.seed for t in timeline[:FIRST_TRIALS]],
        "first_scores": [t.score for t in timeline[:FIRST_TRIALS]],
        "trials": costs["trials"],
    }


def by_predecessor(rows: list[dict[str, Any]]) -> dict[str, dict[str, list[float]]]:
    """Per arm, when its first trial ended, grouped by the arm of the run before it
    (``"none"`` for the first run): the reading the README declares."""
    grouped: dict[str, dict[str, list[float]]] = {}
    for before, row in zip([None, *rows], rows, strict=False):
        after = before["arm"] if before else "none"
        ended = row["first_trials_ended"][0] if row["first_trials_ended"] else None
        grouped.setdefault(row["arm"], {}).setdefault(after, []).append(ended)
    return grouped


def run_in_new_process(arm: str, task_name: str, seed: int, seconds: float,
                       env: dict[str, str] | None = None) -> dict[str, Any]:  # fmt: skip
    """:func:`one_run` in a fresh interpreter (with ``env`` added to this one's environment)."""
    return json_from_new_process("benchmarks.run_order", arm, task_name, str(seed),
                                 str(seconds), env=env)  # fmt: skip


def json_from_new_process(module: str, *args: str, env: dict[str, str] | None = None) -> Any:
    """``python -m MODULE one ARGS...`` in a fresh interpreter (with ``env`` added to this
    one's environment): what its last line of output says, as JSON. The process-per-run
    probes run each search this way, so that no run inherits another's TensorFlow state."""
    command = [sys.executable, "-m", module, "one", *args]
    done = subprocess.run(command, check=True, capture_output=True, text=True,
                          env=os.environ | (env or {}))  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def provenance() -> dict[str, Any]:
    """Where a probe's results come from: the machine, the versions and the commit."""
    from benchmarks.run_space import machine
    from benchmarks.vs_kerastuner import engine_commit
    from hpsearch._export import versions

    return {"machine": machine(), "versions": versions(), "commit": engine_commit()}


def main(task_name: str = "fashion_mlp", seed: int = 19, seconds: float = 35.0) -> None:
    """Runs :data:`ORDER`, one process each, and writes what each run's first trials did."""
    from benchmarks.vs_kerastuner import HERE

    rows = []
    for position, arm in enumerate(ORDER):
        row = {"position": position, **run_in_new_process(arm, task_name, seed, seconds)}
        print(json.dumps(row), flush=True)
        rows.append(row)
    result = {
        "command": f"python -m benchmarks.run_order {task_name} {seed} {seconds:g}",
        "task": task_name, "seed": seed, "budget_seconds": seconds,
        "first_trial_ended_by_predecessor": by_predecessor(rows), "rows": rows,
        **provenance(),
    }  # fmt: skip
    (HERE / "results" / "run_order.json").write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    if sys.argv[1:2] == ["one"]:
        arm, task, seed, seconds = sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
        print(json.dumps(one_run(arm, task, seed, seconds)))
    else:
        main(*sys.argv[1:2], *map(int, sys.argv[2:3]), *map(float, sys.argv[3:4]))
