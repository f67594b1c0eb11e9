"""hpsearch: hyperparameter search for Keras models on Optuna.

The pipeline, top to bottom: data (``load_dataset``) -> space (``load_space``) ->
objective (``Objective``: folds x epochs with pruning) -> study (``create_or_resume``,
``run_search``) -> final fit and single test (``evaluate_study``) -> export.

Public names are imported on first use: ``hpsearch studies`` or ``hpsearch dashboard``
should not pay for importing TensorFlow, which only the objective and final fit need.
"""

from __future__ import annotations

import importlib
from typing import Any

#: Public name -> the private module that defines it.
_MODULES = {
    "DATASETS": "_loaders",
    "DataError": "_errors",
    "Dataset": "_dataset",
    "HpsearchError": "_errors",
    "Infeasible": "_errors",
    "Objective": "_objective",
    "OverBudget": "_errors",
    "OverTime": "_errors",
    "SealedTest": "_dataset",
    "SearchSettings": "_objective",
    "Space": "_space",
    "SpaceError": "_errors",
    "StudyError": "_errors",
    "TestSetSealedError": "_errors",
    "TrialDiverged": "_errors",
    "TrialError": "_errors",
    "load_dataset": "_loaders",
    "load_space": "_space",
    "search_in_progress": "_dataset",
}

__all__ = sorted(_MODULES)


def __getattr__(name: str) -> Any:
    if name not in _MODULES:
        raise AttributeError(f"module 'search' has no attribute {name!r}")
    return getattr(importlib.import_module(f"search.{_MODULES[name]}"), name)


def __dir__() -> list[str]:
    return __all__
