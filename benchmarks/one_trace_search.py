"""The one-trace change in a real search: the same trials with and without it, timed.

The probe "one trace per model" timed ``hpsearch._fit.build_training_state`` on fixed
configurations, one fit each. Round 37's overhead runs then spent longer in ``fit`` than
round 30's on the same 50 trials, on a day when TensorFlow's import took longer too. This
probe separates the engine from the machine: the same short search (the vs-KerasTuner
benchmark's data and settings through ``run_hpsearch``, seed :data:`SEED`, no final fit, no
test score), each run in a fresh process, in the order :data:`ORDER`, the shipped way and the
way before the change (the optimizer's slots made before ``fit``, the metrics left to Keras,
as in the one-trace probe). The change leaves every history identical, so both ways make the
same trials in the same order, and the seconds at which the trials both completed end
compare directly. It decides nothing (benchmarks README, "Probe: one trace in a search").

Usage:
    python -m benchmarks.one_trace_search [TASK [SECONDS]]   # results/one_trace_search_TASK.json
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.run_order import json_from_new_process, provenance

SEED = 24  # no round or probe has used it
ORDER = ("one_trace", "two_traces", "two_traces", "one_trace",
         "one_trace", "two_traces", "two_traces", "one_trace")  # fmt: skip
#: What a run's line in the log shows (its row keeps the per-trial lists too).
SHOWN = ("way", "wall_seconds", "fit_seconds", "trials", "epochs_trained")


def one_run(way: str, task_name: str, seconds: float) -> dict[str, Any]:
    """One search in this process, the ``way`` given: its complete trials' ends and costs."""
    import optuna

    import hpsearch
    from benchmarks.one_trace import WAYS
    from benchmarks.vs_kerastuner import bench_dataset, run_hpsearch
    from benchmarks.vs_kerastuner_rounds import TASKS
    from hpsearch import _fit

    if way == "two_traces":  # the one-trace probe's way before the change
        _fit.build_training_state = WAYS["before"]
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    space = hpsearch.load_space(TASKS[task_name].space)
    dataset = bench_dataset(TASKS[task_name])
    with tempfile.TemporaryDirectory(prefix="one_trace_search_") as folder:
        timeline, costs = run_hpsearch(space, dataset, SEED, Path(folder), "hpsearch", seconds)
    return {
        "way": way,
        "ends": [round(t.seconds, 3) for t in timeline],
        "configurations": [json.dumps(t.params, sort_keys=True) for t in timeline],
        "scores": [t.score for t in timeline],
        **{k: costs[k] for k in ("wall_seconds", "fit_seconds", "trials", "epochs_trained")},
    }


def shared_end_ratios(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Over the complete trials every run made alike (same parameters and score, in order),
    the median seconds at the last of them per way, and their ratio (shipped over before)."""
    shared = 0
    runs = (zip(r["configurations"], r["scores"], strict=True) for r in rows)
    for column in zip(*runs, strict=False):
        if len(set(column)) > 1:
            break
        shared += 1
    if shared == 0:
        return {"shared_trials": 0}
    ends = {way: statistics.median(r["ends"][shared - 1] for r in rows if r["way"] == way)
            for way in ("one_trace", "two_traces")}  # fmt: skip
    return {"shared_trials": shared, "median_seconds_at_last_shared": ends,
            "ratio": ends["one_trace"] / ends["two_traces"]}  # fmt: skip


def main(task_name: str = "california", seconds: float = 90.0) -> None:
    """Runs :data:`ORDER`, one process each, and writes the runs and their reading."""
    from benchmarks.vs_kerastuner import HERE

    rows = []
    for way in ORDER:
        rows.append(
            json_from_new_process("benchmarks.one_trace_search", way, task_name, str(seconds))
        )
        print(json.dumps({k: v for k, v in rows[-1].items() if k in SHOWN}), flush=True)
    result = {
        "command": f"python -m benchmarks.one_trace_search {task_name} {seconds:g}",
        "task": task_name, "seed": SEED, "budget_seconds": seconds,
        "reading": shared_end_ratios(rows), "rows": rows, **provenance(),
    }  # fmt: skip
    out = HERE / "results" / f"one_trace_search_{task_name}.json"
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result["reading"]))


if __name__ == "__main__":
    if sys.argv[1:2] == ["one"]:
        print(json.dumps(one_run(sys.argv[2], sys.argv[3], float(sys.argv[4]))))
    else:
        main(*sys.argv[1:2], *map(float, sys.argv[2:3]))
