"""Anytime curves: the best trial so far at each checkpoint, and the first one on target."""

from __future__ import annotations

from benchmarks.anytime import Finished, best_so_far, time_to_target


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
