"""hpsearch vs KerasTuner on the identical space: anytime test-score curves over seeds.

The protocol (declared before the runs) is in benchmarks/README.md, "hpsearch vs KerasTuner".
Each run is one process: one tool, one task, one seed, a fixed wall budget; its row goes to
``results/vs_kerastuner_runs/`` and ``all`` skips rows already there, so it resumes.

Usage:
    python -m benchmarks.vs_kerastuner all [--seeds 0 1 2]   # every run, then the summary
    python -m benchmarks.vs_kerastuner interleaved           # hpsearch and Hyperband in turns
    python -m benchmarks.vs_kerastuner round10               # without and with a center start
    python -m benchmarks.vs_kerastuner round12               # median pruner, early, Hyperband
    python -m benchmarks.vs_kerastuner round13               # one process, one per core, Hyperband
    python -m benchmarks.vs_kerastuner round19               # the defaults and Hyperband, 300 s
    python -m benchmarks.vs_kerastuner round20               # round 19, independent seeds
    python -m benchmarks.vs_kerastuner round21               # round 20 with a center start arm
    python -m benchmarks.vs_kerastuner round23               # round 20 on round 22's engine
    python -m benchmarks.vs_kerastuner round24               # round 23, scored at one epoch
    python -m benchmarks.vs_kerastuner round26               # round 24, stopped folds held
    python -m benchmarks.vs_kerastuner round28               # fashion_mlp, 600 s, seeds 3-5
    python -m benchmarks.vs_kerastuner round29               # round 26, backend seeded per trial
    python -m benchmarks.vs_kerastuner round30               # round 29, the engine's array feed
    python -m benchmarks.vs_kerastuner round31               # round 28 on round 30's engine
    python -m benchmarks.vs_kerastuner round32               # round 30's california, seeds 3-5
    python -m benchmarks.vs_kerastuner round33               # round 31's fashion_mlp, seeds 10-12
    python -m benchmarks.vs_kerastuner round34               # median-early vs median, CV only
    python -m benchmarks.vs_kerastuner round35               # low-cost start vs none, CV only
    python -m benchmarks.vs_kerastuner round36               # Hyperband pruner vs median, CV
    python -m benchmarks.vs_kerastuner round36_california    # (and round35_): the california half
    python -m benchmarks.vs_kerastuner round37               # round 31 on the one-trace engine
    python -m benchmarks.vs_kerastuner round38               # round 33 + a baseline-start arm
    python -m benchmarks.vs_kerastuner round39               # round 38 on seeds 22-24, new pruning
    python -m benchmarks.vs_kerastuner run TOOL TASK SEED [FOLDER]  # one run
    python -m benchmarks.vs_kerastuner overhead [LABEL]      # 50-trial overhead and memory run
    python -m benchmarks.vs_kerastuner summary               # vs_kerastuner.json and the plot
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import optuna
from sklearn.model_selection import train_test_split

import hpsearch
from benchmarks.anytime import Finished, curve, time_to_target, timeline_rows
from benchmarks.run_space import machine
from benchmarks.vs_kerastuner_rounds import (
    ROUNDS,
    RUNS,
    SEEDS,
    SHORT,
    TASKS,
    Budget,
    Task,
    first_round_plan,
    folder_budget,
    interleaved_plan,
    run_file,
)
from hpsearch._dataset import Dataset, SealedTest
from hpsearch._export import versions
from hpsearch._final import final_epochs, schedule_stretch
from hpsearch._record import read_record

HERE = Path(__file__).resolve().parent
MAX_EPOCHS, PATIENCE, FOLDS, HOLDOUT = 20, 4, 3, 0.2


def bench_dataset(task: Task) -> Dataset:
    """The task's fixed training subsample and its full, sealed test split."""
    space = hpsearch.load_space(task.space)
    full = hpsearch.load_dataset(space.dataset)
    stratify = None if space.task == "regression" else full.y
    keep, _ = train_test_split(np.arange(len(full.y)), train_size=task.train_rows,
                               random_state=0, stratify=stratify)  # fmt: skip
    x_test, y_test = full.test.open()
    return Dataset(f"{full.name}_{task.train_rows}", full.x[keep], full.y[keep],
                   SealedTest(x_test, y_test), full.source, full.class_names)  # fmt: skip


#: hpsearch's arms: sampler, pruner, fold halving, the rule for trial 0 (``None``: the
#: sampler's), worker processes at once (1: every trial in the calling process).
#: ``hpsearch`` is the defaults of rounds 1-11. ``hpsearch_halving`` was added after the first
#: round, to measure successive halving over folds (README, "Round 2"), ``hpsearch_round3``
#: is the defaults again on the engine of round 3 (README, "Round 3"), ``hpsearch_center``
#: the defaults with the middle of the space first (README, "Round 10"), and
#: ``hpsearch_early`` the defaults with pruning from the third trial (README, "Round 12"),
#: ``hpsearch_workers`` the defaults in one worker process per core (README, "Round 13"),
#: ``hpsearch_low_cost`` the defaults with the space's ``LOW_COST`` first (README, "Round 35"),
#: ``hpsearch_hb_pruner`` the defaults under Optuna's Hyperband pruner (README, "Round 36"),
#: ``hpsearch_baseline`` the defaults with the space's ``BASELINE`` first (README, "Round 38";
#: from round 39 on, the engine leaves that trial out of the median pruner's comparisons).
HPSEARCH_ARMS = {
    "hpsearch": ("tpe", "median", 1, None, 1),
    "hpsearch_random": ("random", "none", 1, None, 1),
    "hpsearch_halving": ("tpe", "median", 3, None, 1),
    "hpsearch_round3": ("tpe", "median", 1, None, 1),
    "hpsearch_center": ("tpe", "median", 1, "center", 1),
    "hpsearch_early": ("tpe", "median-early", 1, None, 1),
    "hpsearch_workers": ("tpe", "median", 1, None, os.cpu_count() or 1),
    "hpsearch_low_cost": ("tpe", "median", 1, "low-cost", 1),
    "hpsearch_hb_pruner": ("tpe", "hyperband", 1, None, 1),
    "hpsearch_baseline": ("tpe", "median", 1, "baseline", 1),
}


def run_hpsearch(space, dataset: Dataset, seed: int, workdir: Path, arm: str,
                 budget: float) -> tuple[list[Finished], dict[str, Any]]:  # fmt: skip
    """One ``hpsearch.optimize`` search (no final fit) under the wall ``budget``."""
    x_test, y_test = dataset.test.open()
    data = hpsearch.Data(dataset.x, dataset.y, x_test, y_test, class_names=dataset.class_names,
                         name=dataset.name)  # fmt: skip
    sampler, pruner, fold_halving, start, workers = HPSEARCH_ARMS[arm]
    started = time.time()
    result = hpsearch.optimize(
        space, data, trials=100_000, timeout=budget, folds=FOLDS,
        max_epochs=MAX_EPOCHS, patience=PATIENCE, seed=seed, sampler=sampler, pruner=pruner,
        fold_halving=fold_halving, start=start, workers=workers,
        final=False, storage=f"sqlite:///{workdir / 'study.db'}", study_name="bench",
        output_dir=workdir, echo=lambda line: None,
    )  # fmt: skip
    wall = time.time() - started
    study = result.study
    stretch = schedule_stretch(read_record(study).settings.as_dict())
    timeline = [
        Finished(trial.datetime_complete.timestamp() - started, trial.value, trial.params,
                 final_epochs(trial), stretch, trial.user_attrs["seed"])
        for trial in study.get_trials(states=(optuna.trial.TrialState.COMPLETE,))
    ]  # fmt: skip
    fit = sum(sum(t.user_attrs.get("fit_seconds", [])) for t in study.trials)
    states = {s.name: sum(t.state == s for t in study.trials) for s in optuna.trial.TrialState}
    return timeline, {
        "wall_seconds": wall,
        "trials": len(study.trials),
        "states": states,
        "epochs_trained": sum(len(t.intermediate_values) for t in study.trials),
        "fit_seconds": fit,
        "overhead_fraction_in_optimize": (wall - fit) / wall,
        "rss_mib_after_trial": [t.user_attrs.get("rss_mib") for t in study.trials],
    }  # fmt: skip


def run_tool(tool: str, task_name: str, seed: int, budget: Budget = SHORT) -> dict[str, Any]:
    """One run of ``tool`` on ``task_name``: its timeline, anytime curve and costs."""
    from benchmarks import kt_timed  # imports keras_tuner only where it is used

    task = TASKS[task_name]
    space = hpsearch.load_space(task.space)
    dataset = bench_dataset(task)
    with tempfile.TemporaryDirectory(prefix="vs_kt_") as folder:
        workdir = Path(folder)
        if tool.startswith("kt_"):
            timeline, costs = kt_timed.run_kerastuner(
                space, dataset, seed, workdir, tuner=tool[3:], budget=budget.seconds,
                max_epochs=MAX_EPOCHS, patience=PATIENCE, holdout=HOLDOUT,
            )  # fmt: skip
        else:
            timeline, costs = run_hpsearch(space, dataset, seed, workdir, tool, budget.seconds)
    peak_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    points = curve(timeline, budget.checkpoints, space, dataset, space.metric)
    maximize = space.direction == "maximize"
    return {
        "tool": tool, "task": task_name, "seed": seed, "budget_seconds": budget.seconds,
        "metric": space.metric, "target": task.target,
        "time_to_target": time_to_target(points, task.target, maximize=maximize),
        "curve": points, **costs, "peak_rss_mib": round(peak_rss_mib, 1),
        "timeline": timeline_rows(timeline),
    }  # fmt: skip


def run_plan(plan: list[tuple[str, str, int]], folder: Path = RUNS) -> None:
    """Each run in its own process, in the plan's order; rows already in ``folder`` are kept."""
    for tool, task, seed in plan:
        if run_file(tool, task, seed, folder).exists():
            continue
        print(f"{time.strftime('%H:%M:%S')} {tool} {task} seed {seed}", flush=True)
        command = [sys.executable, "-m", "benchmarks.vs_kerastuner", "run", tool, task,
                   str(seed), str(folder)]  # fmt: skip
        subprocess.run(command, check=True)


def engine_commit() -> str | None:
    """The git commit the run's code is at, so rows of different engines can be told apart."""
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, text=True,
                          capture_output=True, check=False)  # fmt: skip
    return done.stdout.strip() or None


def main(argv: list[str]) -> None:
    verb = argv[0] if argv else "all"
    if verb == "run":
        tool, task, seed = argv[1], argv[2], int(argv[3])
        folder = Path(argv[4]) if len(argv) > 4 else RUNS
        row = run_tool(tool, task, seed, folder_budget(folder))
        row |= {"machine": machine(), "versions": versions(), "commit": engine_commit()}
        folder.mkdir(parents=True, exist_ok=True)
        run_file(tool, task, seed, folder).write_text(json.dumps(row, indent=1) + "\n")
        print(json.dumps({k: row[k] for k in ("tool", "task", "seed", "time_to_target",
                                              "trials", "curve")}))  # fmt: skip
    elif verb == "overhead":
        from benchmarks.overhead_cli import overhead_main

        overhead_main(argv[1:])
    elif verb in ("all", "summary", *ROUNDS):
        from benchmarks.vs_kerastuner_summary import summarize

        if verb == "all":
            seeds = tuple(int(s) for s in argv[2:]) if "--seeds" in argv else SEEDS
            run_plan(first_round_plan(seeds))
        elif verb in ROUNDS:
            chosen = ROUNDS[verb]
            run_plan(interleaved_plan(chosen.seeds, chosen.tools, chosen.tasks), chosen.folder)
        summarize()
    else:
        sys.exit(f"unknown verb {verb!r}; known: all, {', '.join(ROUNDS)}, run, overhead, "
                 "summary")  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1:])
