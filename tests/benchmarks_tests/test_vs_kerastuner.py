"""The vs-KerasTuner benchmark's run order and where its top-level comparison comes from."""

from __future__ import annotations

import itertools
import json

import pytest

from benchmarks import ab_rule, vs_kerastuner_summary
from benchmarks.versus import maximizes
from benchmarks.vs_kerastuner import HPSEARCH_ARMS
from benchmarks.vs_kerastuner_headline import LONG_ROUNDS, SHIPPED, headline
from benchmarks.vs_kerastuner_rounds import (
    CHECKPOINTS,
    INTERLEAVED_SEEDS,
    INTERLEAVED_TOOLS,
    LONG,
    ROUND10_TOOLS,
    ROUND12_TOOLS,
    ROUND13_TOOLS,
    ROUNDS,
    SHORT,
    TASKS,
    TEN_MINUTES,
    Budget,
    folder_budget,
    interleaved_plan,
    round_seeds,
)
from benchmarks.vs_kerastuner_summary import _cv_only_round, _long_round, _round_rows


def test_the_interleaved_plan_runs_the_two_tools_back_to_back_first_one_then_the_other():
    plan = interleaved_plan()
    assert len(plan) == len(set(plan)) == len(INTERLEAVED_SEEDS) * len(TASKS) * 2
    pairs = [plan[i : i + 2] for i in range(0, len(plan), 2)]
    for (tool_a, task_a, seed_a), (tool_b, task_b, seed_b) in pairs:
        assert (task_a, seed_a) == (task_b, seed_b) and tool_a != tool_b
    firsts = {seed: tool for (tool, _, seed), _ in pairs}
    assert [firsts[s] for s in INTERLEAVED_SEEDS[:2]] == list(INTERLEAVED_TOOLS)


def _row(tool: str, task: str, seed: int, test_scores: list[float], reached: float | None):
    curve = [{"seconds": c, "test": t, "validation": t} for c, t in
             zip(CHECKPOINTS, test_scores, strict=True)]  # fmt: skip
    return {"tool": tool, "task": task, "seed": seed, "curve": curve, "time_to_target": reached}


def _rows(arm: str, ours: list[float], theirs: list[float]) -> dict:
    rows = {}
    for task, seed in itertools.product(TASKS, (0, 1, 2)):
        rows.setdefault((arm, task), []).append(_row(arm, task, seed, ours, 30.0))
        rows.setdefault(("kt_hyperband", task), []).append(
            _row("kt_hyperband", task, seed, theirs, None))  # fmt: skip
    return rows


def test_the_interleaved_rows_give_the_headline_once_they_exist():
    n = len(CHECKPOINTS)
    first_round = _rows(SHIPPED, [0.5] * n, [0.4] * n)
    interleaved = _rows("hpsearch", [0.2] * n, [0.4] * n)

    versus, source = headline(first_round, {})
    assert source == f"{SHIPPED} rows"
    assert versus["california"]["test_at_checkpoints"]["15.0"]["hpsearch_better_by"] < 0

    versus, source = headline(first_round, interleaved)
    assert source.startswith("interleaved rows, seeds [0, 1, 2]")
    at_15 = versus["california"]["test_at_checkpoints"]["15.0"]
    assert abs(at_15["hpsearch_better_by"] - 0.2) < 1e-9  # MSE: lower is better
    assert versus["california"]["ratio"] == "inf"  # Hyperband never reached the target


def _validation_rows(tool: str, task: str, scores: list[float | None]) -> list[dict]:
    return [{"tool": tool, "task": task, "seed": seed,
             "curve": [{"seconds": c, "validation": s, "test": None}
                       for c, s in zip(CHECKPOINTS, scores, strict=True)]}
            for seed in (0, 1, 2)]  # fmt: skip


def test_round10_decides_on_validation_no_worse_at_the_budget_and_better_as_often_as_worse():
    base = [None, 0.40, 0.35, 0.33, 0.31, 0.30, 0.30]  # MSE: lower is better
    early_lead = [0.50, 0.38, 0.34, 0.33, 0.32, 0.31, 0.30]  # better 3, worse 2, tie at 150 s
    late_loss = [0.50, 0.38, 0.34, 0.32, 0.30, 0.29, 0.31]  # better 6, worse at 150 s
    for candidate, passes in ((early_lead, True), (late_loss, False)):
        rows = {
            (tool, "california"): _validation_rows(tool, "california", scores)
            for tool, scores in ((ab_rule.BASE, base), ("hpsearch_center", candidate))
        }
        verdict = ab_rule.task_verdict(rows, "california", "hpsearch_center", maximize=False)
        assert verdict["passes"] is passes
    assert verdict["checkpoints_better"] == 6 and not verdict["no_worse_at_budget"]


def test_round10_runs_its_two_arms_back_to_back():
    plan = interleaved_plan(tools=ROUND10_TOOLS)
    assert {tool for tool, _, _ in plan} == set(ROUND10_TOOLS)
    assert plan[0][0] == "hpsearch" and plan[len(TASKS) * 2][0] == "hpsearch_center"


@pytest.mark.parametrize("tools", [ROUND12_TOOLS, ROUND13_TOOLS])
def test_rounds_12_and_13_run_three_arms_back_to_back_each_going_first_in_turn(tools):
    plan = interleaved_plan(tools=tools)
    assert len(plan) == len(set(plan)) == len(INTERLEAVED_SEEDS) * len(TASKS) * 3
    triples = [plan[i : i + 3] for i in range(0, len(plan), 3)]
    for triple in triples:
        assert len({(task, seed) for _, task, seed in triple}) == 1
        assert {tool for tool, _, _ in triple} == set(tools)
    firsts = [triple[0][0] for triple in triples[:: len(TASKS)]]
    assert firsts[:3] == list(tools)


def test_every_round_names_only_arms_that_exist_and_round13_differs_only_in_workers():
    for chosen in ROUNDS.values():
        assert all(tool in HPSEARCH_ARMS or tool.startswith("kt_") for tool in chosen.tools)
    *same, workers = HPSEARCH_ARMS["hpsearch_workers"]
    assert same == list(HPSEARCH_ARMS["hpsearch"][:-1])
    assert HPSEARCH_ARMS["hpsearch"][-1] == 1 and workers >= 1


def _ab_rows(candidate: str, scores_by_task: dict[str, float]) -> dict:
    """Five seeds of a same-session round's three arms; the defaults score 0.3 MSE and 0.8
    accuracy throughout, Hyperband 0.35 and 0.82, ``candidate`` ``scores_by_task``."""
    scores = {"hpsearch": {"california": 0.3, "fashion_mlp": 0.8}, candidate: scores_by_task,
              "kt_hyperband": {"california": 0.35, "fashion_mlp": 0.82}}  # fmt: skip
    rows = {}
    for (tool, by_task), seed in itertools.product(scores.items(), INTERLEAVED_SEEDS):
        for task, score in by_task.items():
            curve = [score] * len(CHECKPOINTS)
            rows.setdefault((tool, task), []).append(_row(tool, task, seed, curve, None))
    return rows


def test_complete_round12_rows_give_the_headline_with_the_arm_its_validation_rule_picks():
    interleaved = _rows("hpsearch", [0.2] * len(CHECKPOINTS), [0.4] * len(CHECKPOINTS))
    better_on_both = _ab_rows("hpsearch_early", {"california": 0.25, "fashion_mlp": 0.85})
    versus, source = headline({}, interleaved, {"round12": better_on_both})
    assert source.endswith("arm hpsearch_early")
    assert versus["fashion_mlp"]["test_at_checkpoints"]["150.0"]["hpsearch"] == 0.85

    worse_on_one = _ab_rows("hpsearch_early", {"california": 0.35, "fashion_mlp": 0.85})
    versus, source = headline({}, interleaved, {"round12": worse_on_one})
    assert source.endswith("arm hpsearch")
    assert versus["california"]["test_at_checkpoints"]["150.0"]["hpsearch_better_by"] > 0.049

    incomplete = {key: runs[:4] for key, runs in better_on_both.items()}
    assert headline({}, interleaved, {"round12": incomplete})[1].startswith("interleaved rows")


def test_complete_round13_rows_replace_round12s_in_the_headline_and_incomplete_ones_do_not():
    round12 = _ab_rows("hpsearch_early", {"california": 0.35, "fashion_mlp": 0.85})
    round13 = _ab_rows("hpsearch_workers", {"california": 0.25, "fashion_mlp": 0.85})
    versus, source = headline({}, {}, {"round12": round12, "round13": round13})
    assert source.startswith("round13 rows") and source.endswith("arm hpsearch_workers")
    assert versus["california"]["test_at_checkpoints"]["150.0"]["hpsearch"] == 0.25

    incomplete = {key: runs[1:] for key, runs in round13.items()}
    versus, source = headline({}, {}, {"round12": round12, "round13": incomplete})
    assert source.startswith("round12 rows") and source.endswith("arm hpsearch")
    assert versus["california"]["test_at_checkpoints"]["150.0"]["hpsearch"] == 0.3


def _long_rows(seeds: tuple[int, ...], center_gain: float | None = None,
               budget: Budget = LONG, tasks: tuple[str, ...] = tuple(TASKS)) -> dict:  # fmt: skip
    """A long round's rows: hpsearch 0.28 from 60 s on, Hyperband 0.31 and never there, and
    where ``center_gain`` is given, the center start arm that much better (MSE lower,
    accuracy higher) than hpsearch throughout."""
    arms = [("hpsearch", 0.28, 60.0), ("kt_hyperband", 0.31, None)]
    rows = {}
    for (tool, scores, reached), task, seed in itertools.product(arms, tasks, seeds):
        curve = [{"seconds": c, "test": scores, "validation": scores} for c in budget.checkpoints]
        rows.setdefault((tool, task), []).append({"tool": tool, "task": task, "seed": seed,
                                                  "curve": curve, "time_to_target": reached,
                                                  "budget_seconds": budget.seconds, "trials": 9,
                                                  "epochs_trained": 90})  # fmt: skip
    if center_gain is not None:
        for task in TASKS:
            gain = center_gain if task == "fashion_mlp" else -center_gain
            rows["hpsearch_center", task] = [
                {**row, "tool": "hpsearch_center", "time_to_target": 15.0,
                 "curve": [{**p, "test": 0.28 + gain, "validation": 0.28 + gain}
                           for p in row["curve"]]}
                for row in rows["hpsearch", task]
            ]  # fmt: skip
    return rows


@pytest.mark.parametrize(
    "name", ["round19", "round20", "round21", "round23", "round24", "round26"]
)
def test_long_rounds_run_on_their_own_budget_and_read_their_own_checkpoints(name):
    chosen = ROUNDS[name]
    assert folder_budget(chosen.folder) == LONG
    assert folder_budget(ROUNDS["round13"].folder) == SHORT
    assert LONG.checkpoints[-1] == LONG.seconds > SHORT.seconds
    plan = interleaved_plan(chosen.seeds, chosen.tools)
    assert len(plan) == len(chosen.seeds) * len(TASKS) * len(chosen.tools)

    summary = _long_round(name, _long_rows(chosen.seeds, -0.01 if name == "round21" else None))
    versus = summary["versus_hyperband"]["california"]
    assert summary["complete"] and list(versus["test_at_checkpoints"]) == list(
        map(str, LONG.checkpoints)
    )
    assert abs(versus["test_at_checkpoints"]["300.0"]["hpsearch_better_by"] - 0.03) < 1e-9
    assert versus["ratio"] == "inf" and versus["ratio_at_least"] == LONG.seconds / 60.0


def test_the_headline_carries_the_median_overhead_inside_optimize_of_its_hpsearch_runs():
    rows = _long_rows(ROUNDS["round20"].seeds)
    for task in TASKS:
        for row, fraction in zip(rows["hpsearch", task], (0.05, 0.02, 0.09), strict=True):
            row["overhead_fraction_in_optimize"] = fraction
    versus, _ = headline({}, {}, {}, {"round20": rows})
    assert {t: v["hpsearch_overhead_in_optimize"] for t, v in versus.items()} == {
        task: 0.05 for task in TASKS}  # fmt: skip
    # Rows that never recorded it (Hyperband's, rounds 1-2) give no number rather than 0.
    assert headline({}, {}, {}, {"round20": _long_rows(ROUNDS["round20"].seeds)})[0][
        "california"]["hpsearch_overhead_in_optimize"] is None  # fmt: skip


def test_complete_round20_rows_replace_every_earlier_rounds_in_theheadline():
    round13 = _ab_rows("hpsearch_workers", {"california": 0.25, "fashion_mlp": 0.85})
    round20 = _long_rows(ROUNDS["round20"].seeds)
    versus, source = headline({}, {}, {"round13": round13}, {"round20": round20})
    assert source.startswith("round20 rows")
    assert versus["california"]["test_at_checkpoints"]["300.0"]["hpsearch"] == 0.28

    incomplete = {key: runs[1:] for key, runs in round20.items()}
    source = headline({}, {}, {"round13": round13}, {"round20": incomplete})[1]
    assert source.startswith("round13 rows")


@pytest.mark.parametrize(("gain", "arm"), [(0.03, "hpsearch_center"), (-0.01, "hpsearch")])
def test_complete_round21_rows_replace_round20s_with_the_arm_its_validation_rule_picks(gain, arm):
    long_rows = {"round20": _long_rows(ROUNDS["round20"].seeds),
                 "round21": _long_rows(ROUNDS["round21"].seeds, gain)}  # fmt: skip
    versus, source = headline({}, {}, {}, long_rows)
    assert source.startswith("round21 rows") and source.endswith(f"arm {arm}")
    picked = 0.28 - gain if arm == "hpsearch_center" else 0.28
    at_15 = versus["california"]["test_at_checkpoints"]["15.0"]["hpsearch"]
    assert abs(at_15 - picked) < 1e-9

    long_rows["round21"] = {key: runs[1:] for key, runs in long_rows["round21"].items()}
    assert headline({}, {}, {}, long_rows)[1].startswith("round20 rows")


@pytest.mark.parametrize(
    ("name", "before"), [("round23", "round21"), ("round24", "round23"), ("round26", "round24")]
)
def test_complete_rows_of_a_later_round_replace_the_earlier_and_incomplete_ones_do_not(
    name, before
):
    long_rows = {before: _long_rows(ROUNDS[before].seeds, -0.01),
                 name: _long_rows(ROUNDS[name].seeds)}  # fmt: skip
    for row in long_rows[name]["hpsearch", "california"]:
        row["curve"][0] = {**row["curve"][0], "test": 0.2}  # only the later round scores 0.2
    versus, source = headline({}, {}, {}, long_rows)
    assert source.startswith(f"{name} rows") and source.endswith("arm hpsearch")
    assert versus["california"]["test_at_checkpoints"]["15.0"]["hpsearch"] == 0.2
    assert ROUNDS[name].tools == ("hpsearch", "kt_hyperband")

    long_rows[name] = {key: runs[1:] for key, runs in long_rows[name].items()}
    assert headline({}, {}, {}, long_rows)[1].startswith(f"{before} rows")


def test_round28_runs_fashion_mlp_alone_for_ten_minutes_on_seeds_no_long_round_used():
    chosen = ROUNDS["round28"]
    assert folder_budget(chosen.folder) == TEN_MINUTES
    assert TEN_MINUTES.checkpoints[-1] == TEN_MINUTES.seconds == 2 * LONG.seconds
    assert TEN_MINUTES.checkpoints[: len(LONG.checkpoints)] == LONG.checkpoints
    assert not set(chosen.seeds) & set(ROUNDS["round26"].seeds)
    plan = interleaved_plan(chosen.seeds, chosen.tools, chosen.tasks)
    assert {task for _, task, _ in plan} == {"fashion_mlp"}
    assert len(plan) == len(chosen.seeds) * len(chosen.tools)

    rows = _long_rows(chosen.seeds, budget=TEN_MINUTES, tasks=chosen.tasks)
    summary = _long_round("round28", rows)
    versus = summary["versus_hyperband"]
    assert summary["complete"] and list(versus) == ["fashion_mlp"]
    assert list(versus["fashion_mlp"]["test_at_checkpoints"]) == list(
        map(str, TEN_MINUTES.checkpoints)
    )
    assert versus["fashion_mlp"]["ratio_at_least"] == TEN_MINUTES.seconds / 60.0


@pytest.mark.parametrize(("before", "name"), [("round26", "round28"), ("round30", "round31")])
def test_complete_ten_minute_rows_replace_the_round_before_on_fashion_mlp_only(before, name):
    chosen = ROUNDS[name]
    assert chosen.seeds == (3, 4, 5) and chosen.budget == TEN_MINUTES
    assert chosen.tasks == ("fashion_mlp",)
    earlier = _long_rows(ROUNDS[before].seeds)
    ten_minutes = _long_rows(chosen.seeds, budget=TEN_MINUTES, tasks=chosen.tasks)
    for row in ten_minutes["hpsearch", "fashion_mlp"]:
        row["curve"][0] = {**row["curve"][0], "test": 0.9}  # only the long round scores 0.9
    versus, source = headline({}, {}, {}, {before: earlier, name: ten_minutes})
    assert source == (
        f"california: {before} rows, seeds [0, 1, 2], 300 s, arm hpsearch; "
        f"fashion_mlp: {name} rows, seeds [3, 4, 5], 600 s, arm hpsearch"
    )
    assert versus["fashion_mlp"]["test_at_checkpoints"]["15.0"]["hpsearch"] == 0.9
    assert "600.0" in versus["fashion_mlp"]["test_at_checkpoints"]
    assert list(versus["california"]["test_at_checkpoints"])[-1] == "300.0"

    incomplete = {key: runs[1:] for key, runs in ten_minutes.items()}
    versus, source = headline({}, {}, {}, {before: earlier, name: incomplete})
    assert source == f"{before} rows, seeds [0, 1, 2], 300 s, arm hpsearch"
    assert "600.0" not in str(versus)


def test_complete_round29_rows_replace_rounds_26_and_28_on_both_tasks():
    earlier = {
        "round26": _long_rows(ROUNDS["round26"].seeds),
        "round28": _long_rows(ROUNDS["round28"].seeds, budget=TEN_MINUTES, tasks=("fashion_mlp",)),
    }
    round29 = _long_rows(ROUNDS["round29"].seeds)
    for task in ("california", "fashion_mlp"):
        for row in round29["hpsearch", task]:
            row["curve"][0] = {**row["curve"][0], "test": 0.7}  # only round 29 scores 0.7
    versus, source = headline({}, {}, {}, {**earlier, "round29": round29})
    assert source == "round29 rows, seeds [0, 1, 2], 300 s, arm hpsearch"
    for task in ("california", "fashion_mlp"):
        assert versus[task]["test_at_checkpoints"]["15.0"]["hpsearch"] == 0.7

    incomplete = {key: runs[1:] for key, runs in round29.items()}
    source = headline({}, {}, {}, {**earlier, "round29": incomplete})[1]
    assert source.startswith("california: round26 rows") and "fashion_mlp: round28" in source


def test_complete_round30_rows_replace_round29s_and_incomplete_ones_leave_them():
    round29, round30 = (_long_rows(ROUNDS[name].seeds) for name in ("round29", "round30"))
    for task in ("california", "fashion_mlp"):
        for row in round30["hpsearch", task]:
            row["curve"][0] = {**row["curve"][0], "test": 0.7}  # only round 30 scores 0.7
    versus, source = headline({}, {}, {}, {"round29": round29, "round30": round30})
    assert source == "round30 rows, seeds [0, 1, 2], 300 s, arm hpsearch"
    for task in ("california", "fashion_mlp"):
        assert versus[task]["test_at_checkpoints"]["15.0"]["hpsearch"] == 0.7

    incomplete = {key: runs[1:] for key, runs in round30.items()}
    source = headline({}, {}, {}, {"round29": round29, "round30": incomplete})[1]
    assert source == "round29 rows, seeds [0, 1, 2], 300 s, arm hpsearch"


def _write_rows(folder, rows: dict) -> None:
    folder.mkdir(parents=True)
    for (tool, task), runs in rows.items():
        for row in runs:
            (folder / f"{tool}_{task}_{row['seed']}.json").write_text(json.dumps(row))


#: The six-seed rounds: the task each runs, the round its rows join, and the other task's
#: headline while the joined round is complete.
SIX_SEED_ROUNDS = [
    ("round32", "california", "round30",
     "fashion_mlp: round31 rows, seeds [3, 4, 5], 600 s, arm hpsearch"),
    ("round33", "fashion_mlp", "round31",
     "california: round32 rows, seeds [0, 1, 2, 3, 4, 5], 300 s, arm hpsearch"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "task", "joined", "other_task"), SIX_SEED_ROUNDS)
def test_a_six_seed_rounds_rows_join_the_earlier_rounds_and_its_headline_reads_six_seeds(
    tmp_path, monkeypatch, name, task, joined, other_task
):
    chosen = ROUNDS[name]
    plan = interleaved_plan(chosen.seeds, chosen.tools, chosen.tasks)
    assert {(t, seed) for _, t, seed in plan} == {(task, s) for s in chosen.seeds}
    assert not set(chosen.seeds) & set(ROUNDS[joined].seeds)
    assert chosen.budget == ROUNDS[joined].budget and chosen.joins == (joined,)
    seeds = round_seeds(name)
    assert len(seeds) == 6 and set(seeds) == {*chosen.seeds, *ROUNDS[joined].seeds}
    names = LONG_ROUNDS[LONG_ROUNDS.index("round30") : LONG_ROUNDS.index(name) + 1]
    folders = {n: tmp_path / n for n in names}
    monkeypatch.setattr(vs_kerastuner_summary, "ROUNDS", {
        n: chosen_round._replace(folder=tmp_path / n) for n, chosen_round in ROUNDS.items()
    })  # fmt: skip
    for n, folder in folders.items():
        rows = _long_rows(ROUNDS[n].seeds, budget=ROUNDS[n].budget, tasks=ROUNDS[n].tasks)
        if n == name:
            for row in rows["hpsearch", task]:
                row["curve"][0] = {**row["curve"][0], "test": 0.2}  # new seeds: 0.2 at 15 s
        _write_rows(folder, rows)

    rounds_rows = _round_rows(name)
    assert set(rounds_rows) == {("hpsearch", task), ("kt_hyperband", task)}
    assert [r["seed"] for r in rounds_rows["hpsearch", task]] == list(seeds)
    versus, source = headline({}, {}, {}, {n: _round_rows(n) for n in folders})
    this_task = f"{task}: {name} rows, seeds {list(seeds)}, {chosen.budget.seconds:g} s"
    assert source == "; ".join(sorted([f"{this_task}, arm hpsearch", other_task]))
    # The median of six seeds: the joined round's three at 0.28 and the new three at 0.2.
    assert versus[task]["test_at_checkpoints"]["15.0"]["hpsearch"] == pytest.approx(0.24)

    (folders[name] / f"kt_hyperband_{task}_{chosen.seeds[-1]}.json").unlink()
    source = headline({}, {}, {}, {n: _round_rows(n) for n in folders})[1]
    assert f"{task}: {joined} rows, seeds {list(ROUNDS[joined].seeds)}," in source


def test_round37_repeats_round31_and_leaves_the_six_seed_headline(tmp_path, monkeypatch):
    chosen, repeated = ROUNDS["round37"], ROUNDS["round31"]
    assert chosen.repeats == "round31"
    assert chosen._replace(folder=None, repeats=None) == repeated._replace(folder=None)
    names = ["round30", "round31", "round32", "round33", "round37"]
    monkeypatch.setattr(vs_kerastuner_summary, "ROUNDS", {
        n: chosen_round._replace(folder=tmp_path / n) for n, chosen_round in ROUNDS.items()
    })  # fmt: skip
    for n in names:
        rows = _long_rows(ROUNDS[n].seeds, budget=ROUNDS[n].budget, tasks=ROUNDS[n].tasks)
        for runs in rows.values():
            for row in runs:  # round 37 ends the same three trials 10 % sooner
                ends = [0.9, 1.8, 3.6] if n == "round37" else [1.0, 2.0, 4.0]
                row["timeline"] = _timeline([8, 16, 32], ends)
        _write_rows(tmp_path / n, rows)

    long_rows = {n: _round_rows(n) for n in names}
    source = headline({}, {}, {}, long_rows)[1]
    assert "fashion_mlp: round33 rows, seeds [3, 4, 5, 10, 11, 12]" in source
    same = _long_round("round37", long_rows["round37"])["same_trials_vs_repeated"]
    for tool in chosen.tools:
        assert same[tool]["fashion_mlp/3"]["shared_trials"] == 3
        assert same[tool]["fashion_mlp/3"]["seconds_ratio"] == pytest.approx(0.9)


def _timeline(params: list[int], seconds: list[float]) -> list[dict]:
    return [{"seconds": s, "params": {"units": p}} for p, s in zip(params, seconds, strict=True)]


def test_rerun_drift_times_the_trials_both_runs_share():
    earlier = {("kt_hyperband", "fashion_mlp"): [
        {"seed": 3, "timeline": _timeline([8, 16, 32, 64], [1.0, 2.0, 4.0, 8.0])},
        {"seed": 4, "timeline": _timeline([8], [1.0])},
    ]}  # fmt: skip
    today = {("kt_hyperband", "fashion_mlp"): [
        # The same first three trials, each ending 10 % later; the fourth differs.
        {"seed": 3, "timeline": _timeline([8, 16, 32, 128], [1.1, 2.2, 4.4, 9.0])},
        {"seed": 5, "timeline": _timeline([8], [1.0])},  # no earlier run of seed 5
    ]}  # fmt: skip
    drift = ab_rule.rerun_drift(today, earlier)
    assert drift.keys() == {"fashion_mlp/3"}
    assert drift["fashion_mlp/3"]["shared_trials"] == 3
    assert drift["fashion_mlp/3"]["seconds_ratio"] == pytest.approx(1.1)
    today["kt_hyperband", "fashion_mlp"][0]["timeline"][0]["params"] = {"units": 9}
    assert ab_rule.rerun_drift(today, earlier)["fashion_mlp/3"] == {
        "shared_trials": 0, "seconds_ratio": None,
    }  # fmt: skip


def _cv_rows(tool: str, task: str, seeds: tuple[int, ...], scores: list) -> list[dict]:
    """A CV-only round's rows of ``tool`` on ``task``: validation ``scores`` at the 300 s
    budget's checkpoints, no test score."""
    curve = [{"seconds": c, "validation": s, "test": None}
             for c, s in zip(LONG.checkpoints, scores, strict=True)]  # fmt: skip
    return [{"tool": tool, "task": task, "seed": seed, "curve": curve,
             "time_to_target": None, "trials": 9, "epochs_trained": 90}
            for seed in seeds]  # fmt: skip


#: Per task, a base curve and a candidate better early and tied at 300 s (the last entry is
#: the budget's).
CV_CURVES = {
    "fashion_mlp": ([None, 0.80, 0.82, 0.83, 0.84, 0.845, 0.85],
                    [0.79, 0.82, 0.83, 0.835, 0.84, 0.845, 0.85]),
    "california": ([None, 0.40, 0.35, 0.32, 0.30, 0.29, 0.28],
                   [0.45, 0.38, 0.34, 0.31, 0.30, 0.29, 0.28]),
}  # fmt: skip

#: Per CV-only round: its candidate's arm, what sets it apart (the field of its
#: ``HPSEARCH_ARMS`` entry and its value), and its task.
CV_ONLY_CASES = {
    "round34": ("hpsearch_early", (1, "median-early"), "fashion_mlp"),
    "round35": ("hpsearch_low_cost", (3, "low-cost"), "fashion_mlp"),
    "round35_california": ("hpsearch_low_cost", (3, "low-cost"), "california"),
    "round36": ("hpsearch_hb_pruner", (1, "hyperband"), "fashion_mlp"),
    "round36_california": ("hpsearch_hb_pruner", (1, "hyperband"), "california"),
}


@pytest.mark.parametrize("name", list(CV_ONLY_CASES))
@pytest.mark.parametrize("passes", [True, False])
def test_a_cv_only_round_decides_its_candidate_on_its_tasks_cv_alone(name, passes):
    arm, (field, value), task = CV_ONLY_CASES[name]
    base, candidate = CV_CURVES[task]
    chosen = ROUNDS[name]
    assert chosen.budget == LONG and chosen.tasks == (task,)
    assert chosen.tools == ("hpsearch", arm) and HPSEARCH_ARMS[arm][field] == value
    assert [v for i, v in enumerate(HPSEARCH_ARMS[arm]) if i != field] == [
        v for i, v in enumerate(HPSEARCH_ARMS["hpsearch"]) if i != field
    ]  # the defaults in everything else
    others = {(t, s) for n, r in ROUNDS.items() if n != name for t in r.tasks for s in r.seeds}
    assert not {(task, s) for s in chosen.seeds} & others
    plan = interleaved_plan(chosen.seeds, chosen.tools, chosen.tasks)
    orders = {0: ("hpsearch", arm), 1: (arm, "hpsearch")}  # who goes first: the seed's parity
    assert [(tool, seed) for tool, _, seed in plan] == [
        (tool, seed) for seed in chosen.seeds for tool in orders[seed % 2]
    ]

    worse_at_budget = candidate[-1] + (-0.001 if maximizes(task) else 0.001)
    candidate = candidate if passes else [*candidate[:-1], worse_at_budget]
    rows = {("hpsearch", task): _cv_rows("hpsearch", task, chosen.seeds, base),
            (arm, task): _cv_rows(arm, task, chosen.seeds, candidate)}  # fmt: skip
    summary = _cv_only_round(name, rows)
    verdict = summary["verdicts"][task]
    assert summary["complete"] and list(summary["verdicts"]) == [task]
    assert verdict["passes"] is passes and verdict["checkpoints_better"] == 4
    assert verdict["no_worse_at_budget"] is passes

    rows["hpsearch", task] = rows["hpsearch", task][1:]
    assert not _cv_only_round(name, rows)["complete"]
