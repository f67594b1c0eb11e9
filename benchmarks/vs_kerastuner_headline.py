"""Which rows give the vs-KerasTuner top-level comparison with Hyperband, and with which arm.

Each round declared in benchmarks/README.md whether its rows, once complete, replace the
headline, and which hpsearch arm they give it with (the defaults, or a candidate its
validation rule adopts). :func:`headline` applies those declarations to the rows there are;
``vs_kerastuner_summary`` writes what it returns.
"""

from __future__ import annotations

from typing import Any

from benchmarks import ab_rule
from benchmarks.versus import maximizes, versus_hyperband
from benchmarks.vs_kerastuner_rounds import INTERLEAVED_SEEDS, ROUNDS, TASKS, round_seeds

#: The arm that ran hpsearch's shipped defaults in the first round: the headline's last
#: fallback. Fold halving stayed opt-in (README, "Round 2"); round 3 measured the engine with
#: forked workers and a frozen heap (README, "Round 3").
SHIPPED = "hpsearch_round3"


def complete(rows, tools: tuple[str, ...], seeds: tuple[int, ...] = INTERLEAVED_SEEDS,
             tasks: tuple[str, ...] = tuple(TASKS)) -> bool:  # fmt: skip
    """Whether ``rows`` hold every tool's run on each of ``tasks`` for every one of ``seeds``."""
    return all(
        {r["seed"] for r in rows.get((tool, task), [])} >= set(seeds)
        for tool in tools for task in tasks
    )  # fmt: skip


#: The same-session rounds against Hyperband, oldest first, each with its candidate arm
#: (README, "Round 12", "Round 13"): the latest complete one gives the headline.
AB_ROUNDS = {"round12": "hpsearch_early", "round13": "hpsearch_workers"}


def _picked_arm(rows, candidate: str) -> str:
    """The hpsearch arm a round's headline takes: the candidate if its rule adopts it."""
    adopted = ab_rule.decision(rows, candidate, maximizes)["adopted"]
    return candidate if adopted else "hpsearch"


def headline(rows, interleaved, ab_rounds=None, long_rows=None) -> tuple[dict[str, Any], str]:
    """The comparison the top-level numbers give, and where it comes from.

    Declared in round 7: the interleaved rows, once there, replace the first round's, whose
    tools ran hours apart on a machine whose speed drifts. Declared in rounds 12 and 13: the
    latest of their rows that is complete replaces them, with the arm its validation rule
    picks. Declared in round 20: its rows, once complete, replace them all, since every
    earlier round's hpsearch seeds shared their start-up trials. Declared in round 21: its
    rows, once complete, replace round 20's, with the arm its validation rule picks.
    Declared in round 23: its rows, once complete, replace round 21's, since they run the
    engine that ships. Declared in rounds 24 and 26: likewise their rows replace the round
    before. Declared in round 28: a long round replaces the earlier ones only on its tasks.
    """
    long_headline = _long_headline(long_rows or {})
    if long_headline is not None:
        return long_headline
    for name, round_rows in reversed(list((ab_rounds or {}).items())):
        if round_rows and complete(round_rows, ROUNDS[name].tools):
            arm = _picked_arm(round_rows, AB_ROUNDS[name])
            versus = {task: versus_hyperband(round_rows, task, arm) for task in TASKS}
            return versus, f"{name} rows, seeds {list(INTERLEAVED_SEEDS)}, arm {arm}"
    if interleaved:
        seeds = sorted({r["seed"] for runs in interleaved.values() for r in runs})
        versus = {task: versus_hyperband(interleaved, task, "hpsearch") for task in TASKS}
        return versus, f"interleaved rows, seeds {seeds} (round 7)"
    return {task: versus_hyperband(rows, task, SHIPPED) for task in TASKS}, f"{SHIPPED} rows"


def _long_headline(long_rows) -> tuple[dict[str, Any], str] | None:
    """Per task, the latest complete long round that ran it; ``None`` unless every task has
    one. The source names each task's round where they differ."""
    versus, sources = {}, {}
    for task in TASKS:
        for name in reversed(LONG_ROUNDS):
            chosen, round_rows = ROUNDS[name], long_rows.get(name)
            if task not in chosen.tasks or not round_rows:
                continue
            if complete(round_rows, chosen.tools, round_seeds(name), chosen.tasks):
                arm = _long_arm(name, round_rows)
                versus[task] = versus_hyperband(round_rows, task, arm)
                seeds, seconds = list(round_seeds(name)), chosen.budget.seconds
                sources[task] = f"{name} rows, seeds {seeds}, {seconds:g} s, arm {arm}"
                break
    if len(versus) < len(TASKS):
        return None
    if len(set(sources.values())) == 1:
        return versus, sources[next(iter(TASKS))]
    return versus, "; ".join(f"{task}: {source}" for task, source in sources.items())


#: Rounds of the defaults against the same session's Hyperband on the longer budget, oldest
#: first, with the candidate arm a round decides on, if any (README, "Round 19" to "Round 33").
LONG_ROUNDS = (
    "round19", "round20", "round21", "round23", "round24", "round26", "round28", "round29",
    "round30", "round31", "round32", "round33",
)  # fmt: skip
#: A long round's candidate arm, decided on CV by round 10's rule on the round's own tasks.
LONG_CANDIDATES = {
    "round21": "hpsearch_center", "round38": "hpsearch_baseline", "round39": "hpsearch_baseline",
}  # fmt: skip


def _long_arm(name: str, rows) -> str:
    """The hpsearch arm a long round's headline takes: its candidate if its rule adopts it."""
    return _picked_arm(rows, LONG_CANDIDATES[name]) if name in LONG_CANDIDATES else "hpsearch"
