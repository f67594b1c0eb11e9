"""The objective: folds x epochs, pruning inside the first fold, the sealed test split."""

from __future__ import annotations

import keras
import optuna
import pytest

from hpsearch import (
    HpsearchError,
    Objective,
    SearchSettings,
    TestSetSealedError,
    load_dataset,
    load_space,
)
from hpsearch._dataset import search_in_progress
from hpsearch._search import run_search
from tests.conftest import space_file
from tests.helpers import optimize


@pytest.fixture()
def tiny_objective(data_dir):
    space = load_space(file=space_file("tiny"))
    settings = SearchSettings(folds=3, max_epochs=4, patience=4, subsample=0.2, seed=0)
    return Objective(space, load_dataset("california", data_dir), settings)


def _fold_curves(trial, *, folds: int, max_epochs: int) -> list[list[float]]:
    """Each fold's validation curve, read back from the steps its epochs reported at."""
    steps = sorted(trial.intermediate_values.items())
    return [[value for step, value in steps if step // max_epochs == fold]
            for fold in range(folds)]  # fmt: skip


def test_report_steps_do_not_collide_across_folds(tiny_objective):
    study = optuna.create_study(direction="minimize", pruner=optuna.pruners.NopPruner())
    study.optimize(tiny_objective, n_trials=1)
    (trial,) = study.trials
    assert trial.state == optuna.trial.TrialState.COMPLETE
    steps = sorted(trial.intermediate_values)
    epochs = trial.user_attrs["best_epochs"]
    assert len(trial.user_attrs["fold_scores"]) == 3 and len(epochs) == 3
    assert {step // 4 for step in steps} == {0, 1, 2}  # one block of 4 steps per fold
    # The value is the folds' mean at one epoch, read from the curves the folds reported.
    curves = _fold_curves(trial, folds=3, max_epochs=4)
    at = trial.user_attrs["cv_epochs"] - 1
    assert trial.user_attrs["cv_fold_scores"] == pytest.approx([c[at] for c in curves])
    assert trial.value == pytest.approx(sum(c[at] for c in curves) / 3)
    assert trial.value == pytest.approx(min(sum(col) / 3 for col in zip(*curves, strict=False)))
    # The 12 epochs' storage and pruner calls, timed inside the folds' fits.
    assert 0 < trial.user_attrs["report_seconds"] < sum(trial.user_attrs["fit_seconds"])


class _StopsTheSecondFoldEarly(keras.callbacks.EarlyStopping):
    """Early stopping that ends the second fold it is made for after 3 epochs, as patience
    would on a noisy curve, so that the test does not depend on where floating point lands."""

    made = 0

    def __init__(self, **options):
        super().__init__(**options)
        type(self).made += 1
        self.stop_after = 3 if type(self).made == 2 else None

    def on_epoch_end(self, epoch, logs=None):
        super().on_epoch_end(epoch, logs)
        if self.stop_after is not None and epoch + 1 >= self.stop_after:
            self.model.stop_training = True


def test_a_fold_that_stopped_early_counts_at_its_last_score(data_dir, monkeypatch):
    # Folds 0 and 2 improve to epoch 12 at this small learning rate; fold 1 stops after 3.
    # Held at its last score, it does not cap the trial's epoch at 3.
    monkeypatch.setattr(_StopsTheSecondFoldEarly, "made", 0)
    monkeypatch.setattr(keras.callbacks, "EarlyStopping", _StopsTheSecondFoldEarly)
    space = load_space(file=space_file("tiny"))
    settings = SearchSettings(folds=3, max_epochs=12, patience=12, subsample=0.2, seed=0)
    objective = Objective(space, load_dataset("california", data_dir), settings)
    study = optuna.create_study(direction="minimize", pruner=optuna.pruners.NopPruner())
    study.enqueue_trial({"units": 8, "optimizer": "adam", "learning_rate": 0.003,
                         "beta_1": 0.9, "beta_2": 0.999})  # fmt: skip
    study.optimize(objective, n_trials=1)
    (trial,) = study.trials
    curves = _fold_curves(trial, folds=3, max_epochs=12)
    assert list(map(len, curves)) == [12, 3, 12]
    assert trial.user_attrs["cv_epochs"] > 3
    held = [c + c[-1:] * (12 - len(c)) for c in curves]
    assert trial.value == pytest.approx(min(sum(col) / 3 for col in zip(*held, strict=True)))
    at = trial.user_attrs["cv_epochs"] - 1
    assert trial.user_attrs["cv_fold_scores"] == pytest.approx([c[at] for c in held])


def test_a_pruned_trial_stops_inside_its_first_fold(tiny_objective):
    # A threshold no MSE can meet: the pruner stops the trial at its first report.
    study = optuna.create_study(
        direction="minimize", pruner=optuna.pruners.ThresholdPruner(upper=1e-9)
    )
    study.optimize(tiny_objective, n_trials=1)
    (trial,) = study.trials
    assert trial.state == optuna.trial.TrialState.PRUNED
    where = trial.user_attrs["pruned_at"]
    assert where["pruner"] == "ThresholdPruner" and where["value"] > 1e-9
    assert (where["fold"], where["epoch"], where["step"]) == (0, 1, 0)
    assert list(trial.intermediate_values) == [0]  # one epoch of one fold, not 3 x 4
    assert len(trial.user_attrs["fold_scores"]) == 1


def test_an_objective_that_peeks_at_the_test_split_is_stopped(data_dir):
    dataset = load_dataset("california", data_dir)
    study = optuna.create_study(direction="minimize")
    with pytest.raises(TestSetSealedError, match="cannot be read while a search is running"):
        run_search(study, lambda trial: float(dataset.test.open()[1].mean()), n_trials=1)
    with search_in_progress(), pytest.raises(TestSetSealedError):
        dataset.test.open()
    assert len(dataset.test.open()[1]) == 500  # outside a search it opens


def test_optimize_reads_the_test_split_once_and_only_in_the_final_test(runner, storage,
                                                                         data_dir):  # fmt: skip
    # The loader caches per process, so this is the very object the in-process search holds.
    dataset = load_dataset("california", data_dir)
    before = dataset.test.reads
    assert optimize(runner, storage, "--no-final").exit_code == 0
    assert dataset.test.reads == before  # three trials, no read
    assert optimize(runner, storage).exit_code == 0
    assert dataset.test.reads == before + 1  # the single final test


def test_settings_refuse_bad_values():
    with pytest.raises(HpsearchError, match="folds must be at least 2, but got folds=1"):
        SearchSettings(folds=1)
    with pytest.raises(HpsearchError, match="subsample must be in"):
        SearchSettings(subsample=0)


def test_an_oversized_model_is_pruned_untrained_as_an_infeasible_trial(data_dir):
    space = load_space(file=space_file("tiny"))
    settings = SearchSettings(folds=2, max_epochs=2, subsample=0.2, seed=0, max_params=100)
    objective = Objective(space, load_dataset("california", data_dir), settings)
    study = optuna.create_study(direction="minimize")
    study.enqueue_trial({"units": 16})  # 10 * 16 + 1 = 161 parameters
    study.enqueue_trial({"units": 4})  # 41
    run_search(study, objective, n_trials=2)
    oversized, small = study.trials
    assert oversized.state == optuna.trial.TrialState.PRUNED  # finished, and TPE sees it
    assert oversized.user_attrs["n_params"] == 161
    assert oversized.constraints == {"max_params": pytest.approx(0.61)}
    assert "161 parameters, over the budget of 100" in oversized.user_attrs["over_budget"]
    assert "fold_scores" not in oversized.user_attrs and not oversized.intermediate_values
    assert small.state == optuna.trial.TrialState.COMPLETE and small.constraints == {}
    assert study.best_trial.number == 1


def test_a_trial_over_its_time_budget_is_stopped_and_pruned_as_infeasible(data_dir):
    space = load_space(file=space_file("tiny"))
    dataset = load_dataset("california", data_dir)
    study = optuna.create_study(direction="minimize")
    for n_trials, limit in ((1, 1e-6), (2, 1e6)):  # over after its first batch; never reached
        settings = SearchSettings(folds=2, max_epochs=2, subsample=0.2, seed=0,
                                  max_trial_seconds=limit)  # fmt: skip
        run_search(study, Objective(space, dataset, settings), n_trials=n_trials)
    slow, fast = study.trials
    assert slow.state == optuna.trial.TrialState.PRUNED
    assert not slow.intermediate_values  # stopped inside its first epoch
    assert slow.constraints["max_trial_seconds"] > 0
    assert slow.user_attrs["projected_seconds"] > 0
    assert "over the limit of 1e-06 s per trial" in slow.user_attrs["over_budget"]
    assert fast.state == optuna.trial.TrialState.COMPLETE and fast.constraints == {}
    with pytest.raises(HpsearchError, match="max_trial_seconds must be positive, but got 0"):
        SearchSettings(max_trial_seconds=0)
