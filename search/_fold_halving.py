"""Folds as a fidelity: successive halving over a trial's cross-validation folds.

One fold costs what a holdout fit costs; K folds cost K times that. After each fold but
the last, a trial's mean score over its folds so far is ranked against every other trial
that completed as many folds; outside the top ``1 / reduction`` it is pruned. A bad
configuration then costs one fold, a middling one two, and only the promising ones all K.
CV stays honest: a trial completes only with all K folds, and the study's best is chosen
on full K-fold means.

This is the rule of asynchronous successive halving (ASHA) with folds as rungs, decided
once per fold from the trials recorded in the study, so it works the same for one process
and for many workers on one study.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
from optuna.trial import FrozenTrial, TrialState

#: A rung promotes every trial until this many others have completed it.
MIN_RIVALS = 2


def completed_folds(trial: FrozenTrial) -> list[float]:
    """The scores of the folds ``trial`` completed (a fold its epoch pruner cut is not)."""
    scores = list(trial.user_attrs.get("fold_scores", []))
    where = trial.user_attrs.get("pruned_at")
    cut_mid_fold = trial.state == TrialState.PRUNED and where and not where.get("fold_complete")
    return scores[:-1] if cut_mid_fold else scores


def promoted(
    fold_scores: list[float],
    rivals: Iterable[FrozenTrial],
    *,
    reduction: int,
    maximize: bool,
) -> bool:
    """Whether a trial with ``fold_scores`` goes on to its next fold.

    Args:
        fold_scores: The trial's completed folds.
        rivals: The study's other trials, any state.
        reduction: Keep the top ``1 / reduction`` of each rung; 1 keeps every trial.
        maximize: Whether higher scores are better.
    """
    if reduction <= 1:
        return True
    done = len(fold_scores)
    mine = float(np.mean(fold_scores))
    theirs = [
        float(np.mean(scores[:done]))
        for scores in map(completed_folds, rivals)
        if len(scores) >= done
    ]
    if len(theirs) < MIN_RIVALS:
        return True
    better = sum(score > mine if maximize else score < mine for score in theirs)
    return better < math.ceil((len(theirs) + 1) / reduction)
