"""hpsearch: hyperparameter search for Keras models on Optuna.

``hpsearch.optimize(space, data)`` is the whole job, the same function the CLI calls: data
(``Data``, a file, a built-in name) -> space (``Space``, a module, a KerasTuner model) ->
objective (folds x epochs with pruning) -> study -> final fit and single test -> export.

Public names are imported on first use: ``hpsearch studies`` or ``hpsearch dashboard``
should not pay for importing TensorFlow, which only the objective and final fit need.
"""

from __future__ import annotations

import importlib
from typing import Any

#: Public name -> the private module that defines it.
_MODULES = {
    "DATASETS": "_loaders",
    "Data": "_data",
    "DataError": "_errors",
    "DataFile": "_datafiles",
    "Dataset": "_dataset",
    "HpsearchError": "_errors",
    "Infeasible": "_errors",
    "Objective": "_objective",
    "OverBudget": "_errors",
    "OverTime": "_errors",
    "SealedTest": "_dataset",
    "SearchResult": "_result",
    "SearchSettings": "_settings",
    "Space": "_space",
    "SpaceError": "_errors",
    "StudyError": "_errors",
    "StudyRecord": "_record",
    "TestSetSealedError": "_errors",
    "TrialDiverged": "_errors",
    "TrialError": "_errors",
    "evaluate": "_evaluate",
    "load_dataset": "_loaders",
    "load_result": "_result",
    "load_space": "_space",
    "optimize": "_run",
    "search_in_progress": "_dataset",
}

__all__ = sorted(_MODULES)


def __getattr__(name: str) -> Any:
    if name not in _MODULES:
        raise AttributeError(f"module 'hpsearch' has no attribute {name!r}")
    return getattr(importlib.import_module(f"hpsearch.{_MODULES[name]}"), name)


def __dir__() -> list[str]:
    return [*__all__, "blocks", "spaces"]
