"""After the search: retrain the best configuration on all training data, test it once.

The test split is opened here and nowhere else. Each evaluation is appended to the
study's audit log; a second one is refused unless forced.
"""

from __future__ import annotations

import datetime
import json
import statistics
from pathlib import Path
from typing import Any

import numpy as np
import optuna

from hpsearch import blocks
from hpsearch._dataset import Dataset, labels_of
from hpsearch._errors import HpsearchError, StudyError, TrialError
from hpsearch._fit import FitResult, fit_model
from hpsearch._metrics import test_metrics
from hpsearch._plots import learning_curves, task_figures
from hpsearch._record import read_record
from hpsearch._space import Space

AUDIT_KEY = "test_evaluations"
FINAL_KEY = "final"


def final_epochs(trial: optuna.trial.FrozenTrial) -> int:
    """Epochs for the full-data fit: the epoch at which the trial was scored (``cv_epochs``,
    :mod:`hpsearch._cv_score`); for a trial recorded before that existed, the median of its
    folds' best epochs. At least 1."""
    if "cv_epochs" in trial.user_attrs:
        return max(1, int(trial.user_attrs["cv_epochs"]))
    best_epochs = trial.user_attrs.get("best_epochs", [])
    return max(1, round(statistics.median(best_epochs))) if best_epochs else 1


def schedule_stretch(settings: dict[str, Any]) -> float:
    """All training rows over the rows a CV fold trained on: ``folds / ((folds - 1) * subsample)``.

    The final fit runs the trial's epoch count on all rows, so a step-counted learning-rate
    decay is stretched by this factor to follow the same curve per epoch
    (:func:`hpsearch.blocks.stretch_schedule`).
    """
    folds, subsample = settings["folds"], settings["subsample"]
    return folds / ((folds - 1) * subsample)


def cv_summary(trial: optuna.trial.FrozenTrial) -> dict[str, Any]:
    # The folds' scores at the trial's epoch; each fold's best for trials recorded before.
    folds = trial.user_attrs.get("cv_fold_scores", trial.user_attrs.get("fold_scores", []))
    return {
        "mean": trial.value,
        "std": float(np.std(folds)) if folds else None,
        "folds": folds,
    }


def best_trial(study: optuna.Study) -> optuna.trial.FrozenTrial:
    try:
        return study.best_trial
    except ValueError:
        raise StudyError(f"study {study.study_name!r} has no complete trial yet.") from None


def retrain(
    space: Space,
    params: dict[str, Any],
    dataset: Dataset,
    *,
    epochs: int,
    seed: int,
    stretch: float = 1.0,
) -> FitResult:
    """The best parameters refit on the full training set, through the same fit path as CV.

    ``stretch`` scales a step-counted learning-rate decay (see :func:`schedule_stretch`).
    """
    replay = optuna.trial.FixedTrial(params)  # also what a KerasTuner fit() asks for
    fixed = blocks.stretch_schedule(space.suggested(replay), stretch)
    n_classes = len(dataset.class_names or ()) or None
    try:
        return fit_model(
            space,
            fixed,
            dataset.x,
            dataset.y,
            epochs=epochs,
            seed=seed,
            n_classes=n_classes,
            trial=replay,
        )
    except TrialError as exc:
        raise HpsearchError(f"final fit failed: {exc}") from None


def evaluate_on_test(
    result: FitResult, space: Space, dataset: Dataset, folder: Path | None
) -> dict[str, Any]:
    """Scores the model on the test split (the only read of it) and writes the figures."""
    x_test, y_test = dataset.test.open()
    y_test = labels_of(y_test) if space.task != "regression" else y_test
    scores = result.predict(x_test)
    try:
        metrics = test_metrics(space.task, y_test, scores, dataset.class_names)
    except ValueError as exc:
        raise HpsearchError(f"final evaluation failed: {exc}") from None
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        learning_curves(result.history, folder / "learning_curves.png")
        task_figures(space.task, y_test, scores, dataset.class_names, folder)
    return metrics


def evaluate_study(
    study: optuna.Study,
    space: Space,
    dataset: Dataset,
    *,
    folder: Path | None,
    command: str,
    force: bool = False,
) -> tuple[dict[str, Any], Any]:
    """Retrains the study's best trial, tests it once, and records the result.

    Writes ``folder/model.keras``, ``folder/metrics.json`` and the report figures (unless
    ``folder`` is None), and stores the result in the study (``final`` and the
    ``test_evaluations`` audit log).

    Returns:
        The report (what ``metrics.json`` holds) and the retrained Keras model.

    Raises:
        StudyError: The test set was evaluated before and ``force`` is not set.
    """
    audit = study.user_attrs.get(AUDIT_KEY, [])
    if audit and not force:
        last = audit[-1]
        raise StudyError(
            f"study {study.study_name!r} was already tested on {last['time']} "
            f"({last['metrics']}); pass --force to evaluate again (it is logged)."
        )
    best = best_trial(study)
    epochs = final_epochs(best)
    stretch = schedule_stretch(read_record(study).settings.as_dict())
    result = retrain(
        space, best.params, dataset, epochs=epochs, seed=best.user_attrs["seed"], stretch=stretch
    )
    metrics = evaluate_on_test(result, space, dataset, folder)
    cv = cv_summary(best)
    report = {
        "study": study.study_name,
        "trial": best.number,
        "epochs": epochs,
        "schedule_stretch": stretch,
        "train_rows": len(dataset.y),
        "test_rows": len(dataset.test),
        "data_fingerprint": {"train": dataset.fingerprint, "test": dataset.test.fingerprint},
        "cv": cv,
        "test": metrics,
        "cv_test_gap": _gap(space.metric, cv["mean"], metrics),
    }
    if folder is not None:
        result.model.save(folder / "model.keras")
        (folder / "metrics.json").write_text(json.dumps(report, indent=2))
    _record(study, report, command=command)
    return report, result.model


def _record(study: optuna.Study, report: dict[str, Any], *, command: str) -> None:
    """Appends the evaluation to the study's audit log and stores it as the study's final."""
    scalars = {k: v for k, v in report["test"].items() if isinstance(v, float)}
    entry = {
        "time": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": command,
        "trial": report["trial"],
        "metrics": scalars,
    }
    study.set_user_attr(AUDIT_KEY, [*study.user_attrs.get(AUDIT_KEY, []), entry])
    study.set_user_attr(
        FINAL_KEY,
        {k: report[k] for k in ("trial", "epochs", "schedule_stretch", "cv_test_gap")}
        | {"test": scalars, "data_fingerprint": report["data_fingerprint"]},
    )


def _gap(metric: str, cv_mean: float | None, metrics: dict[str, Any]) -> float | None:
    """Test minus CV value of the space's own metric, where the test report has it."""
    if cv_mean is None or not isinstance(metrics.get(metric), float):
        return None
    return metrics[metric] - cv_mean
