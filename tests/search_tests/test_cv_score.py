"""A trial's score: the folds' mean curve at one epoch for all, and the final fit's epochs."""

from __future__ import annotations

import optuna
import pytest

from hpsearch._cv_score import cv_score
from hpsearch._final import cv_summary, final_epochs


def test_one_epoch_for_all_folds_not_each_folds_best():
    # Each fold peaks at a different epoch (0.9 at 2, 0.9 at 3); the mean of those maxima,
    # 0.9, is an epoch no single fit reaches. At epoch 3 the mean is 0.85, the best shared.
    score = cv_score([[0.5, 0.9, 0.8], [0.5, 0.6, 0.9]], maximize=True)
    assert (score.epochs, score.fold_scores) == (3, [0.8, 0.9])
    assert score.value == pytest.approx(0.85)


def test_a_stopped_fold_counts_at_its_last_score_and_the_direction():
    # The second fold stopped after two epochs; at epoch 3 it counts at 0.2, its last score.
    score = cv_score([[0.4, 0.3, 0.1], [0.5, 0.2]], maximize=False)
    assert (score.epochs, score.fold_scores) == (3, [0.1, 0.2])
    assert score.value == pytest.approx(0.15)
    assert cv_score([[0.4, 0.3, 0.1], [0.5, 0.2]], maximize=True).epochs == 1


def test_a_stopped_fold_is_held_at_its_last_score_not_its_best():
    # Held at its best (0.9), the second fold would make epoch 4 best (mean 0.85); held at
    # its last score (0.5), epoch 1 is best (0.7): the folds rising later do not borrow it.
    score = cv_score([[0.5, 0.6, 0.7, 0.8], [0.9, 0.5]], maximize=True)
    assert (score.epochs, score.fold_scores) == (1, [0.5, 0.9])
    assert score.value == pytest.approx(0.7)


def test_a_non_finite_epoch_is_skipped_and_an_empty_fold_refused():
    score = cv_score([[float("nan"), 0.3], [0.2, 0.4]], maximize=False)
    assert (score.epochs, score.value) == (2, pytest.approx(0.35))
    with pytest.raises(ValueError, match="at least one epoch"):
        cv_score([[0.1], []], maximize=True)
    with pytest.raises(ValueError, match="no epoch has a finite score"):
        cv_score([[float("nan")], [0.1]], maximize=True)


def _trial(attrs: dict) -> optuna.trial.FrozenTrial:
    return optuna.trial.create_trial(value=0.5, user_attrs=attrs)


def test_final_epochs_follow_the_scored_epoch_and_older_trials_their_median():
    assert final_epochs(_trial({"cv_epochs": 7, "best_epochs": [3, 4, 20]})) == 7
    assert final_epochs(_trial({"best_epochs": [3, 4, 20]})) == 4  # recorded before cv_epochs
    assert final_epochs(_trial({})) == 1


def test_the_cv_summary_lists_the_scores_the_value_averages():
    new = _trial({"cv_fold_scores": [0.4, 0.6], "fold_scores": [0.5, 0.7]})
    assert cv_summary(new)["folds"] == [0.4, 0.6]
    assert cv_summary(_trial({"fold_scores": [0.5, 0.7]}))["folds"] == [0.5, 0.7]
