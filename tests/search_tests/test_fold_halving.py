"""Successive halving over folds: who goes on to the next fold, and what a study records."""

from __future__ import annotations

import optuna
import pytest
from optuna.trial import TrialState, create_trial

from hpsearch import (
    HpsearchError,
    Objective,
    SearchSettings,
    StudyRecord,
    load_dataset,
    load_space,
)
from hpsearch._fold_halving import completed_folds, promoted
from tests.conftest import space_file


def _trial(scores, state=TrialState.COMPLETE, pruned_at=None):
    attrs = {"fold_scores": scores} | ({"pruned_at": pruned_at} if pruned_at else {})
    value = sum(scores) / len(scores) if state == TrialState.COMPLETE else None
    intermediate = {0: scores[0]} if state == TrialState.PRUNED else None
    return create_trial(state=state, value=value, user_attrs=attrs,
                        intermediate_values=intermediate)  # fmt: skip


def test_only_the_top_third_of_a_rung_goes_on():
    rivals = [_trial([0.30, 0.31, 0.29]), _trial([0.50, 0.52, 0.49])]
    assert promoted([0.25], rivals, reduction=3, maximize=False)  # the best of 3
    assert not promoted([0.40], rivals, reduction=3, maximize=False)  # second of 3
    assert promoted([0.40], rivals, reduction=2, maximize=False)  # top 2 of 3
    assert promoted([0.60], rivals, reduction=3, maximize=True)  # higher is better there
    assert not promoted([0.25], rivals, reduction=3, maximize=True)
    assert promoted([0.99], rivals, reduction=1, maximize=False)  # halving off


def test_a_rung_with_too_few_rivals_promotes_everyone():
    assert promoted([0.9], [_trial([0.1, 0.1, 0.1])], reduction=3, maximize=False)
    # Rivals that never completed as many folds do not count for the second rung.
    short = [_trial([0.1], TrialState.PRUNED, {"fold": 1, "fold_complete": True})] * 3
    assert promoted([0.9, 0.9], short, reduction=3, maximize=False)


def test_a_fold_cut_by_the_epoch_pruner_is_not_a_completed_fold():
    cut = _trial([0.2, 0.9], TrialState.PRUNED, {"fold": 1, "epoch": 2, "pruner": "Median"})
    halved = _trial([0.2, 0.9], TrialState.PRUNED, {"fold": 1, "fold_complete": True})
    assert completed_folds(cut) == [0.2] and completed_folds(halved) == [0.2, 0.9]


def test_a_halving_search_completes_trials_on_every_fold_and_prunes_the_rest(data_dir):
    space = load_space(file=space_file("tiny"))
    settings = SearchSettings(folds=3, max_epochs=3, patience=3, subsample=0.2, seed=0,
                              fold_halving=3)  # fmt: skip
    objective = Objective(space, load_dataset("california", data_dir), settings)
    study = optuna.create_study(direction="minimize", pruner=optuna.pruners.NopPruner(),
                                sampler=optuna.samplers.RandomSampler(seed=0))  # fmt: skip
    study.optimize(objective, n_trials=8)
    complete = study.get_trials(states=(TrialState.COMPLETE,))
    halved = study.get_trials(states=(TrialState.PRUNED,))
    assert halved and complete
    assert all(len(t.user_attrs["fold_scores"]) == 3 for t in complete)
    for trial in halved:
        where, scores = trial.user_attrs["pruned_at"], trial.user_attrs["fold_scores"]
        assert where["fold_complete"] and len(scores) == where["fold"] + 1 < 3
        earlier = [t for t in study.trials if t.number < trial.number]
        assert not promoted(scores, earlier, reduction=3, maximize=False)


def test_fold_halving_is_refused_below_one_and_old_studies_ran_without_it():
    with pytest.raises(HpsearchError, match="fold_halving must be at least 1, but got 0"):
        SearchSettings(fold_halving=0)
    record = StudyRecord.from_attrs({
        "space": "california", "space_file": None, "dataset": "california",
        "space_fingerprint": "f",
        "data_fingerprint": "d", "settings": {"folds": 3}, "sampler": "tpe",
        "pruner": "median",
    })  # fmt: skip
    assert record.settings.fold_halving == 1
