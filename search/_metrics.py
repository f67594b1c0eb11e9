"""Test-set metrics per task kind, computed once by the final evaluation."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn import metrics


def _multiclass(y: np.ndarray, scores: np.ndarray, names: tuple[str, ...]) -> dict[str, Any]:
    labels = list(range(scores.shape[1]))
    predicted = scores.argmax(axis=1)
    matrix = metrics.confusion_matrix(y, predicted, labels=labels)
    with np.errstate(invalid="ignore", divide="ignore"):
        recall = np.diag(matrix) / matrix.sum(axis=1)
    present = np.unique(y)
    # Two softmax columns: scikit-learn takes the binary AUC, on the second class's score.
    ranked = scores[:, 1] if len(labels) == 2 else scores
    auc = (
        metrics.roc_auc_score(y, ranked, multi_class="ovr", labels=labels)
        if len(present) == len(labels)
        else None  # one-vs-rest AUC is undefined for a class absent from the test set
    )
    return {
        "accuracy": float(metrics.accuracy_score(y, predicted)),
        "macro_f1": float(metrics.f1_score(y, predicted, average="macro", labels=labels)),
        "roc_auc_ovr": None if auc is None else float(auc),
        "per_class_accuracy": {
            name: (None if np.isnan(r) else float(r))
            for name, r in zip(names, recall, strict=True)
        },
        "confusion_matrix": matrix.tolist(),
    }


def _binary(y: np.ndarray, scores: np.ndarray) -> dict[str, Any]:
    probability = scores.reshape(-1)
    predicted = (probability >= 0.5).astype(int)
    return {
        "accuracy": float(metrics.accuracy_score(y, predicted)),
        "precision": float(metrics.precision_score(y, predicted, zero_division=0)),
        "recall": float(metrics.recall_score(y, predicted, zero_division=0)),
        "f1": float(metrics.f1_score(y, predicted, zero_division=0)),
        "roc_auc": float(metrics.roc_auc_score(y, probability)) if len(set(y)) == 2 else None,
        "confusion_matrix": metrics.confusion_matrix(y, predicted, labels=[0, 1]).tolist(),
    }


def _regression(y: np.ndarray, scores: np.ndarray) -> dict[str, Any]:
    predicted = scores.reshape(-1)
    mse = float(metrics.mean_squared_error(y, predicted))
    return {
        "mse": mse,
        "rmse": float(np.sqrt(mse)),
        "mae": float(metrics.mean_absolute_error(y, predicted)),
        "r2": float(metrics.r2_score(y, predicted)),
    }


def test_metrics(
    task: str, y: np.ndarray, scores: np.ndarray, class_names: tuple[str, ...] | None
) -> dict[str, Any]:
    """Metrics of model outputs ``scores`` against true targets ``y``.

    Args:
        task: ``multiclass`` (scores are class probabilities), ``binary`` (probability of
            class 1) or ``regression`` (predicted values).
        class_names: Names for per-class figures (multiclass only).
    """
    if not np.all(np.isfinite(scores)):
        raise ValueError("the model's test predictions contain NaN or infinite values.")
    if task == "multiclass":
        names = class_names or tuple(str(i) for i in range(scores.shape[1]))
        return _multiclass(y, scores, names)
    if task == "binary":
        return _binary(y, scores)
    return _regression(y, scores)


test_metrics.__test__ = False  # a library function, not a pytest test
