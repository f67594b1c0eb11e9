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
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import optuna
from sklearn.model_selection import train_test_split

import hpsearch
from benchmarks.anytime import Finished, curve, time_to_target, timeline_rows
from benchmarks.run_space import machine
from hpsearch._dataset import Dataset, SealedTest
from hpsearch._export import versions
from hpsearch._final import final_epochs, schedule_stretch
from hpsearch._record import read_record

HERE = Path(__file__).resolve().parent
RUNS = HERE / "results" / "vs_kerastuner_runs"
BUDGET_SECONDS = 150.0
CHECKPOINTS = (15.0, 30.0, 45.0, 60.0, 90.0, 120.0, 150.0)
MAX_EPOCHS, PATIENCE, FOLDS, HOLDOUT = 20, 4, 3, 0.2
SEEDS = (0, 1, 2)


class Budget(NamedTuple):
    """A run's wall seconds of search and the checkpoints its anytime curve is scored at."""

    seconds: float
    checkpoints: tuple[float, ...]


#: Rounds 1-18's budget. Round 19 (README) runs the issue's scale of minutes: the same early
#: checkpoints, then 2, 3, 4 and 5 minutes.
SHORT = Budget(BUDGET_SECONDS, CHECKPOINTS)
LONG = Budget(300.0, (15.0, 30.0, 60.0, 120.0, 180.0, 240.0, 300.0))
#: Round 28 (README): ten minutes, the issue's own example of a longer checkpoint, so that a
#: tool that needs more than five minutes to reach the target is timed instead of censored.
TEN_MINUTES = Budget(600.0, (*LONG.checkpoints, 450.0, 600.0))


@dataclass(frozen=True)
class Task:
    """A benchmark task: a built-in space on a fixed subsample of its training rows.

    Attributes:
        space: Built-in space name.
        train_rows: Training rows drawn once (seed 0) from the space's training split; the
            test split is the space's whole test split.
        target: Test score that counts as reached (MSE at most, accuracy at least).
    """

    space: str
    train_rows: int
    target: float


TASKS = {
    "california": Task("california", train_rows=5000, target=0.30),
    "fashion_mlp": Task("fashion_mlp", train_rows=6000, target=0.85),
}


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


#: hpsearch's arms: sampler, pruner, fold halving, whether trial 0 is the space's middle,
#: worker processes at once (1: every trial in the calling process).
#: ``hpsearch`` is the defaults of rounds 1-11. ``hpsearch_halving`` was added after the first
#: round, to measure successive halving over folds (README, "Round 2"), ``hpsearch_round3``
#: is the defaults again on the engine of round 3 (README, "Round 3"), ``hpsearch_center``
#: the defaults with the middle of the space first (README, "Round 10"), and
#: ``hpsearch_early`` the defaults with pruning from the third trial (README, "Round 12"),
#: ``hpsearch_workers`` the defaults in one worker process per core (README, "Round 13").
HPSEARCH_ARMS = {
    "hpsearch": ("tpe", "median", 1, False, 1),
    "hpsearch_random": ("random", "none", 1, False, 1),
    "hpsearch_halving": ("tpe", "median", 3, False, 1),
    "hpsearch_round3": ("tpe", "median", 1, False, 1),
    "hpsearch_center": ("tpe", "median", 1, True, 1),
    "hpsearch_early": ("tpe", "median-early", 1, False, 1),
    "hpsearch_workers": ("tpe", "median", 1, False, os.cpu_count() or 1),
}
TOOLS = ("hpsearch", "hpsearch_random", "kt_hyperband", "kt_bayesian", "hpsearch_halving",
         "hpsearch_round3")  # fmt: skip


def run_hpsearch(space, dataset: Dataset, seed: int, workdir: Path, arm: str,
                 budget: float) -> tuple[list[Finished], dict[str, Any]]:  # fmt: skip
    """One ``hpsearch.optimize`` search (no final fit) under the wall ``budget``."""
    x_test, y_test = dataset.test.open()
    data = hpsearch.Data(dataset.x, dataset.y, x_test, y_test, class_names=dataset.class_names,
                         name=dataset.name)  # fmt: skip
    sampler, pruner, fold_halving, center_start, workers = HPSEARCH_ARMS[arm]
    started = time.time()
    result = hpsearch.optimize(
        space, data, trials=100_000, timeout=budget, folds=FOLDS,
        max_epochs=MAX_EPOCHS, patience=PATIENCE, seed=seed, sampler=sampler, pruner=pruner,
        fold_halving=fold_halving, center_start=center_start, workers=workers,
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


#: The interleaved rerun (README, "Round 7"): the shipped defaults against Hyperband, the two
#: back to back for each seed and task, so the machine's drift falls on both alike.
INTERLEAVED = RUNS / "interleaved"
INTERLEAVED_TOOLS = ("hpsearch", "kt_hyperband")
INTERLEAVED_SEEDS = (0, 1, 2, 3, 4)


#: Round 10 (README): the defaults with and without the middle of the space as trial 0,
#: back to back for each seed and task, which goes first alternating by seed.
ROUND10 = RUNS / "round10"
ROUND10_TOOLS = ("hpsearch", "hpsearch_center")

#: Round 12 (README): the defaults, the defaults pruning from the third trial, and Hyperband,
#: back to back for each seed and task, which goes first rotating by seed.
ROUND12 = RUNS / "round12"
ROUND12_TOOLS = ("hpsearch", "hpsearch_early", "kt_hyperband")

#: Round 13 (README): the defaults in one process, in one worker per core, and Hyperband.
ROUND13 = RUNS / "round13"
ROUND13_TOOLS = ("hpsearch", "hpsearch_workers", "kt_hyperband")

#: Round 19 (README): the defaults and Hyperband back to back, on the longer budget.
ROUND19 = RUNS / "round19"
ROUND19_TOOLS = ("hpsearch", "kt_hyperband")
ROUND19_SEEDS = (0, 1, 2)

#: Round 20 (README): round 19 again, after each trial's seed is hashed from the study's seed
#: and its number (rounds 1-19's seeds 0, 1, 2 shared their start-up trials, shifted by one).
ROUND20 = RUNS / "round20"

#: Round 21 (README): round 10's question (the middle of the space as trial 0) again on
#: independent seeds and the longer budget, with Hyperband in the same session.
ROUND21 = RUNS / "round21"
ROUND21_TOOLS = ("hpsearch", "hpsearch_center", "kt_hyperband")

#: Round 23 (README): round 20 again on round 22's engine (16 batches per call of Keras's
#: training loop), so that the headline is the shipped engine's against the same session's
#: Hyperband.
ROUND23 = RUNS / "round23"

#: Round 24 (README): round 23 again after a trial's value became the folds' mean at one
#: shared epoch (``hpsearch._cv_score``) instead of the mean of each fold's best epoch.
ROUND24 = RUNS / "round24"

#: Round 26 (README): round 24 again after a fold that early stopping ended counts at its
#: last score for the later epochs, instead of capping the scored epoch at the shortest fold.
ROUND26 = RUNS / "round26"

#: Round 28 (README): round 26's engine and tools on ``fashion_mlp`` alone, over ten minutes,
#: on seeds no 300 s round used: round 26's Hyperband never reached the target there.
ROUND28 = RUNS / "round28"

#: Round 29 (README): round 26's protocol again after a trial seeds TensorFlow once, on its
#: first fold, instead of before every fold (``hpsearch._fit.seed_fit``).
ROUND29 = RUNS / "round29"

#: Round 30 (README): round 29's protocol again after small arrays reach Keras through the
#: engine's own ``tf.data`` pipeline instead of Keras's (``hpsearch._feed``).
ROUND30 = RUNS / "round30"

#: Round 31 (README): round 28's protocol (``fashion_mlp``, 600 s, seeds 3-5) on round 30's
#: engine, whose 300 s rows left ``fashion_mlp``'s ratio censored at the budget.
ROUND31 = RUNS / "round31"

#: Round 32 (README): round 30's protocol on ``california`` alone, seeds 3-5, on the same
#: engine; its rows join round 30's ``california`` rows, so that task's headline is read over
#: six seeds.
ROUND32 = RUNS / "round32"

#: Round 33 (README): round 31's protocol on ``fashion_mlp`` on three seeds no run or probe
#: has used; its rows join round 31's, so that task's headline is read over six seeds too.
ROUND33 = RUNS / "round33"


class Round(NamedTuple):
    """An interleaved round: where its rows go, its tools, seeds, budget and tasks, and the
    earlier rounds of the same protocol and engine whose rows on its tasks join its own."""

    folder: Path
    tools: tuple[str, ...]
    seeds: tuple[int, ...] = INTERLEAVED_SEEDS
    budget: Budget = SHORT
    tasks: tuple[str, ...] = tuple(TASKS)
    joins: tuple[str, ...] = ()


#: The interleaved rounds by verb.
ROUNDS = {
    "interleaved": Round(INTERLEAVED, INTERLEAVED_TOOLS),
    "round10": Round(ROUND10, ROUND10_TOOLS),
    "round12": Round(ROUND12, ROUND12_TOOLS),
    "round13": Round(ROUND13, ROUND13_TOOLS),
    "round19": Round(ROUND19, ROUND19_TOOLS, ROUND19_SEEDS, LONG),
    "round20": Round(ROUND20, ROUND19_TOOLS, ROUND19_SEEDS, LONG),
    "round21": Round(ROUND21, ROUND21_TOOLS, ROUND19_SEEDS, LONG),
    "round23": Round(ROUND23, ROUND19_TOOLS, ROUND19_SEEDS, LONG),
    "round24": Round(ROUND24, ROUND19_TOOLS, ROUND19_SEEDS, LONG),
    "round26": Round(ROUND26, ROUND19_TOOLS, ROUND19_SEEDS, LONG),
    "round28": Round(ROUND28, ROUND19_TOOLS, (3, 4, 5), TEN_MINUTES, ("fashion_mlp",)),
    "round29": Round(ROUND29, ROUND19_TOOLS, ROUND19_SEEDS, LONG),
    "round30": Round(ROUND30, ROUND19_TOOLS, ROUND19_SEEDS, LONG),
    "round31": Round(ROUND31, ROUND19_TOOLS, (3, 4, 5), TEN_MINUTES, ("fashion_mlp",)),
    "round32": Round(ROUND32, ROUND19_TOOLS, (3, 4, 5), LONG, ("california",), ("round30",)),
    "round33": Round(
        ROUND33, ROUND19_TOOLS, (10, 11, 12), TEN_MINUTES, ("fashion_mlp",), ("round31",)
    ),
}


def round_seeds(name: str) -> tuple[int, ...]:
    """The seeds of a round's rows together with those of the rounds it joins."""
    chosen = ROUNDS[name]
    return tuple(
        sorted({*chosen.seeds, *(s for other in chosen.joins for s in ROUNDS[other].seeds)})
    )


def folder_budget(folder: Path) -> Budget:
    """The budget of the round whose rows go to ``folder`` (rounds 1-18's outside any)."""
    return next((r.budget for r in ROUNDS.values() if r.folder == folder), SHORT)


def run_file(tool: str, task: str, seed: int, folder: Path = RUNS) -> Path:
    return folder / f"{tool}_{task}_{seed}.json"


def first_round_plan(seeds: tuple[int, ...] = SEEDS) -> list[tuple[str, str, int]]:
    """Every (tool, task, seed) of the declared protocol, seed by seed, task by task."""
    return [(tool, task, seed) for seed in seeds for task in TASKS for tool in TOOLS]


def interleaved_plan(
    seeds: tuple[int, ...] = INTERLEAVED_SEEDS,
    tools: tuple[str, ...] = INTERLEAVED_TOOLS,
    tasks: tuple[str, ...] = tuple(TASKS),
) -> list[tuple[str, str, int]]:
    """The tools back to back for each (seed, task), their order rotated by one each seed
    (two tools: the first goes first on even seeds, the second on odd ones)."""
    plan = []
    for seed in seeds:
        turn = seed % len(tools)
        order = tools[turn:] + tools[:turn]
        plan += [(tool, task, seed) for task in tasks for tool in order]
    return plan


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
