"""What a search leaves: ``SearchResult``, after scikit-learn's fitted-estimator attributes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import optuna

from hpsearch._final import FINAL_KEY, best_trial, cv_summary
from hpsearch._study import load_study


@dataclass
class SearchResult:
    """The outcome of :func:`hpsearch.optimize` (or of a stored study, :func:`load_result`).

    Attributes:
        study: The Optuna study; every trial, its per-epoch scores and user attributes.
        model: The final Keras model (retrained on all training rows), or ``None`` when no
            final fit ran in this call.
        final: The final test's full report in this call (what ``metrics.json`` holds:
            train and test rows, fingerprints, per-class figures), or ``None``.
    """

    study: optuna.Study
    model: Any = None
    final: dict[str, Any] | None = None

    @property
    def best_params(self) -> dict[str, Any]:
        """The best trial's parameters, in the space's names."""
        return best_trial(self.study).params

    @property
    def cv(self) -> dict[str, Any]:
        """The best trial's cross-validation score: ``mean``, ``std`` and per-fold ``folds``."""
        return cv_summary(best_trial(self.study))

    @property
    def test(self) -> dict[str, float] | None:
        """The single test evaluation's metrics, or ``None`` if the study was not tested."""
        if self.final is not None:
            return self.final["test"]
        final = self.study.user_attrs.get(FINAL_KEY)
        return final["test"] if final else None

    def trials(self):
        """The trials as a DataFrame, best first (what ``hpsearch show`` prints)."""
        from hpsearch._study import trials_frame

        return trials_frame(self.study, top=None)

    def export(self, path: str | Path) -> dict[str, Any]:
        """Writes the best configuration as JSON (``hpsearch export``) and returns it."""
        from hpsearch._export import export_best

        config = export_best(self.study)
        Path(path).write_text(json.dumps(config, indent=2) + "\n")
        return config

    def report(self, folder: str | Path, final_folder: str | Path | None = None) -> Path:
        """Writes ``folder/index.html`` with its plots (``hpsearch report``); returns its path."""
        from hpsearch._report import write_report

        final = Path(final_folder) if final_folder else None
        return write_report(self.study, Path(folder), final)


def load_result(study_name: str, storage: Any) -> SearchResult:
    """The result of a stored study, e.g. one searched by ``hpsearch optimize``."""
    return SearchResult(load_study(study_name, storage))
