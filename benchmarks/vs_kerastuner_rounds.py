"""The rounds of the vs-KerasTuner benchmark: what each one runs and where its rows go.

Every round is declared in benchmarks/README.md before it runs. This module holds what the
declarations fix: the tasks, the budgets and their checkpoints, and per round its tools,
seeds, tasks and folder, and the order its runs go in. ``vs_kerastuner.py`` runs a round's
plan; ``vs_kerastuner_summary.py`` reads its rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

#: Where the benchmark's summary and plots go, and its run rows below them.
RESULTS = Path(__file__).resolve().parent / "results"
RUNS = RESULTS / "vs_kerastuner_runs"
BUDGET_SECONDS = 150.0
CHECKPOINTS = (15.0, 30.0, 45.0, 60.0, 90.0, 120.0, 150.0)
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


#: The first round's tools: the issue's four and two arms added after it (README,
#: "Round 2" and "Round 3").
TOOLS = ("hpsearch", "hpsearch_random", "kt_hyperband", "kt_bayesian", "hpsearch_halving",
         "hpsearch_round3")  # fmt: skip


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

#: Round 34 (README): the median pruner from the third trial (``median-early``) against the
#: defaults on today's engine, ``fashion_mlp``, back to back, decided on CV alone; no
#: Hyperband, since the rule reads no test score.
ROUND34 = RUNS / "round34"
ROUND34_TOOLS = ("hpsearch", "hpsearch_early")

#: Round 35 (README): the space's ``LOW_COST`` as trial 0 (``start="low-cost"``) against the
#: defaults, decided on CV alone as round 34 was: ``fashion_mlp`` first, and ``california``
#: (its own verb and folder) only if ``fashion_mlp`` passes.
ROUND35 = RUNS / "round35"
ROUND35_TOOLS = ("hpsearch", "hpsearch_low_cost")
ROUND35_SEEDS = (16, 17, 18)

#: Round 36 (README): Optuna's Hyperband pruner against the median pruner, as round 35:
#: ``fashion_mlp`` first, ``california`` only if ``fashion_mlp`` passes.
ROUND36_TOOLS = ("hpsearch", "hpsearch_hb_pruner")
ROUND36_SEEDS = (19, 20, 21)

#: Round 37 (README, as amended): round 31's protocol and seeds on the engine that ships (one
#: trace per model), Hyperband included, so that both tools' runs can be timed against round
#: 31's on the trials they repeat from the same seeds.
ROUND37 = RUNS / "round37"

#: Round 38 (README): round 33's protocol and seeds on the engine that ships, with a third
#: arm, the space's ``BASELINE`` as trial 0 (``start="baseline"``), decided against the
#: defaults on CV alone; its defaults and Hyperband rows repeat round 33's on this engine.
ROUND38 = RUNS / "round38"
ROUND38_TOOLS = ("hpsearch", "hpsearch_baseline", "kt_hyperband")

#: Round 39 (README): round 38's three arms on new seeds, the baseline start now left out of
#: the median pruner's comparisons, decided against the defaults on CV alone (it failed).
ROUND39 = RUNS / "round39"
ROUND39_SEEDS = (22, 23, 24)


class Round(NamedTuple):
    """An interleaved round: where its rows go, its tools, seeds, budget and tasks, the
    earlier rounds of the same protocol and engine whose rows on its tasks join its own, and
    the earlier round whose protocol and seeds it repeats on a later engine, if any."""

    folder: Path
    tools: tuple[str, ...]
    seeds: tuple[int, ...] = INTERLEAVED_SEEDS
    budget: Budget = SHORT
    tasks: tuple[str, ...] = tuple(TASKS)
    joins: tuple[str, ...] = ()
    repeats: str | None = None


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
    "round34": Round(ROUND34, ROUND34_TOOLS, (13, 14, 15), LONG, ("fashion_mlp",)),
    "round35": Round(ROUND35, ROUND35_TOOLS, ROUND35_SEEDS, LONG, ("fashion_mlp",)),
    "round35_california": Round(
        RUNS / "round35_california", ROUND35_TOOLS, ROUND35_SEEDS, LONG, ("california",)
    ),
    "round36": Round(RUNS / "round36", ROUND36_TOOLS, ROUND36_SEEDS, LONG, ("fashion_mlp",)),
    "round36_california": Round(
        RUNS / "round36_california", ROUND36_TOOLS, ROUND36_SEEDS, LONG, ("california",)
    ),
    "round37": Round(
        ROUND37, ROUND19_TOOLS, (3, 4, 5), TEN_MINUTES, ("fashion_mlp",), repeats="round31"
    ),
    "round38": Round(
        ROUND38, ROUND38_TOOLS, (10, 11, 12), TEN_MINUTES, ("fashion_mlp",), repeats="round33"
    ),
    "round39": Round(ROUND39, ROUND38_TOOLS, ROUND39_SEEDS, TEN_MINUTES, ("fashion_mlp",)),
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
