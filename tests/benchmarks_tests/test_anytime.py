"""Anytime curves: the best trial so far at each checkpoint, and the first one on target."""

from __future__ import annotations

from benchmarks.anytime import Finished, best_so_far, spread, time_to_target


def _finished(seconds, score):
    return Finished(seconds, score, {}, epochs=1, stretch=1.0, seed=0)


def test_the_best_so_far_is_ranked_by_validation_among_trials_finished_by_then():
    timeline = [_finished(10, 0.5), _finished(20, 0.3), _finished(40, 0.4)]
    assert best_so_far(timeline, 5, maximize=False) is None
    assert best_so_far(timeline, 10, maximize=False) == 0
    assert best_so_far(timeline, 30, maximize=False) == 1
    assert best_so_far(timeline, 60, maximize=False) == 1
    assert best_so_far(timeline, 60, maximize=True) == 0


def test_time_to_target_is_the_first_checkpoint_that_meets_it():
    points = [{"seconds": 15, "test": None}, {"seconds": 30, "test": 0.35},
              {"seconds": 60, "test": 0.29}, {"seconds": 90, "test": 0.31}]  # fmt: skip
    assert time_to_target(points, 0.30, maximize=False) == 60
    assert time_to_target(points, 0.20, maximize=False) is None
    assert time_to_target(points, 0.33, maximize=True) == 30


def test_a_run_with_no_trial_yet_counts_as_worse_than_any_score():
    assert spread([0.80, 0.85, None], maximize=True)["median"] == 0.80
    assert spread([0.30, 0.25, None], maximize=False)["median"] == 0.30
    assert spread([0.80, None, None], maximize=True)["median"] is None  # most runs: none yet
    assert spread([0.80, 0.85, None], maximize=True) | {"median": 0} == {
        "median": 0, "min": 0.80, "max": 0.85, "runs": 2, "missing": 1}  # fmt: skip
    assert spread([None], maximize=True)["runs"] == 0
