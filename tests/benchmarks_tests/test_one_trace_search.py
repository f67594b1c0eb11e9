"""The reading of the probe "one trace in a search": the trials every run made alike."""

from __future__ import annotations

import pytest

from benchmarks.one_trace_search import ORDER, shared_end_ratios


def _run(way: str, ends: list[float], configurations: list[str], scores: list[float]) -> dict:
    return {"way": way, "ends": ends, "configurations": configurations, "scores": scores}


def test_the_order_runs_each_way_four_times_twice_after_the_other():
    assert sorted(ORDER) == ["one_trace"] * 4 + ["two_traces"] * 4
    after_other = [b for a, b in zip(ORDER, ORDER[1:], strict=False) if a != b]
    assert after_other.count("one_trace") == 2 and after_other.count("two_traces") == 2


def test_the_reading_times_the_last_trial_every_run_made_alike():
    rows = [
        _run("one_trace", [1.0, 2.0, 3.0, 4.0], ["a", "b", "c", "d"], [0.5, 0.4, 0.3, 0.2]),
        _run("one_trace", [1.2, 2.2, 3.2], ["a", "b", "c"], [0.5, 0.4, 0.3]),
        _run("two_traces", [1.5, 2.5, 4.0, 5.0], ["a", "b", "c", "x"], [0.5, 0.4, 0.3, 0.2]),
        _run("two_traces", [1.5, 2.5, 4.2], ["a", "b", "c"], [0.5, 0.4, 0.3]),
    ]
    reading = shared_end_ratios(rows)
    assert reading["shared_trials"] == 3
    assert reading["median_seconds_at_last_shared"] == {"one_trace": 3.1, "two_traces": 4.1}
    assert reading["ratio"] == pytest.approx(3.1 / 4.1)

    rows[3]["scores"][1] = 0.41  # one run's second trial scored otherwise: one shared trial
    assert shared_end_ratios(rows)["shared_trials"] == 1
    rows[0]["configurations"][0] = "z"
    assert shared_end_ratios(rows) == {"shared_trials": 0}
