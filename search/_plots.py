"""PNG figures of the final evaluation: what students used to paste into notebooks."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, never a window

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.metrics import ConfusionMatrixDisplay, RocCurveDisplay  # noqa: E402


def _save(fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def learning_curves(history: dict[str, list[float]], path: Path) -> Path:
    """Training loss and metrics per epoch of the final fit."""
    fig, ax = plt.subplots(figsize=(6, 4))
    for key, values in history.items():
        if key != "learning_rate":
            ax.plot(range(1, len(values) + 1), values, marker="o", label=key)
    ax.set(xlabel="epoch", title="Final fit: learning curves")
    ax.legend()
    return _save(fig, path)


def confusion_matrix(y: np.ndarray, predicted: np.ndarray, names, path: Path) -> Path:
    """Row-normalized confusion matrix (each row: how a true class was predicted)."""
    fig, ax = plt.subplots(figsize=(1.0 + 0.7 * len(names), 0.8 + 0.7 * len(names)))
    ConfusionMatrixDisplay.from_predictions(
        y, predicted, labels=list(range(len(names))), display_labels=list(names),
        normalize="true", values_format=".2f", ax=ax, colorbar=False, xticks_rotation=45,
    )  # fmt: skip
    ax.set_title("Test confusion matrix (row-normalized)")
    return _save(fig, path)


def roc_curve(y: np.ndarray, probability: np.ndarray, path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(5, 5))
    RocCurveDisplay.from_predictions(y, probability, ax=ax)
    ax.set_title("Test ROC curve")
    return _save(fig, path)


def predicted_vs_true(y: np.ndarray, predicted: np.ndarray, path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.scatter(y, predicted, s=4, alpha=0.4)
    low, high = float(min(y.min(), predicted.min())), float(max(y.max(), predicted.max()))
    ax.plot([low, high], [low, high], color="black", linewidth=1)
    ax.set(xlabel="true", ylabel="predicted", title="Test: predicted vs true")
    return _save(fig, path)


def task_figures(
    task: str, y: np.ndarray, scores: np.ndarray, class_names, folder: Path
) -> list[Path]:
    """The figures the task's report promises, written into ``folder``."""
    if task == "multiclass":
        names = class_names or [str(i) for i in range(scores.shape[1])]
        return [confusion_matrix(y, scores.argmax(axis=1), names, folder / "confusion.png")]
    if task == "binary":
        probability = scores.reshape(-1)
        names = class_names or ["0", "1"]
        return [
            confusion_matrix(y, (probability >= 0.5).astype(int), names, folder / "confusion.png"),
            roc_curve(y, probability, folder / "roc.png"),
        ]
    return [predicted_vs_true(y, scores.reshape(-1), folder / "predicted_vs_true.png")]
