"""hpsearch: hyperparameter search for Keras models on Optuna.

The pipeline, top to bottom: data (``load_dataset``) -> space (``load_space``) ->
objective (``Objective``: folds x epochs with pruning) -> study (``create_or_resume``,
``run_search``) -> final fit and single test (``evaluate_study``) -> export.
"""

from __future__ import annotations

from search._dataset import Dataset, SealedTest, search_in_progress
from search._errors import (
    DataError,
    HpsearchError,
    SpaceError,
    StudyError,
    TestSetSealedError,
    TrialDiverged,
    TrialError,
)
from search._loaders import DATASETS, load_dataset
from search._objective import Objective, SearchSettings
from search._space import Space, load_space

__all__ = [
    "DATASETS",
    "DataError",
    "Dataset",
    "HpsearchError",
    "Objective",
    "SealedTest",
    "SearchSettings",
    "Space",
    "SpaceError",
    "StudyError",
    "TestSetSealedError",
    "TrialDiverged",
    "TrialError",
    "load_dataset",
    "load_space",
    "search_in_progress",
]
