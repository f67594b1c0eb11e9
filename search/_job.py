"""One search, as objects: the single builder shared by the in-process and the worker path.

A :class:`SearchJob` holds the space, the data source, the storage and the settings. The
calling process and every worker process rebuild the study's sampler and pruner and the
objective from it with :func:`open_search`, so the two paths cannot drift apart. Workers
get the job by value (``cloudpickle``), so a notebook's functions and arrays reach them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import optuna

from hpsearch._dataset import Dataset
from hpsearch._settings import SearchSettings
from hpsearch._space import Space
from hpsearch._study import load_study, make_pruner, make_sampler


@dataclass(frozen=True)
class SearchJob:
    """Everything a process needs to run trials of one study.

    Attributes:
        space: The space, its task, metric and direction resolved.
        data: The data source (``describe()`` and ``load()``; see ``_data.py``).
        storage: An Optuna storage URL, or a storage object (in-memory: this process only).
        study_name: The study's name.
        settings: The objective's settings.
        sampler: Sampler name.
        pruner: Pruner name.
        n_trials: Finished trials the study ends with.
    """

    space: Space
    data: Any
    storage: Any
    study_name: str
    settings: SearchSettings
    sampler: str
    pruner: str
    n_trials: int

    def make_sampler(self) -> optuna.samplers.BaseSampler:
        return make_sampler(self.sampler, seed=self.settings.seed, grid=self.space.grid)

    def make_pruner(self) -> optuna.pruners.BasePruner:
        steps = self.settings.folds * self.settings.max_epochs
        return make_pruner(self.pruner, max_steps=steps)


def open_search(
    job: SearchJob,
    *,
    dataset: Dataset | None = None,
    study: optuna.Study | None = None,
    on_epoch: Callable[..., None] | None = None,
):
    """The study (with the job's sampler and pruner) and the objective, ready to run.

    Args:
        dataset: The loaded data, if this process has it; else loaded from ``job.data``.
        study: The study, if this process holds it open; else loaded from the storage.
        on_epoch: Progress hook, ``(trial, fold, epoch, value)``.
    """
    from hpsearch._objective import Objective  # imports Keras

    if study is None:
        study = load_study(job.study_name, job.storage)
    study.sampler, study.pruner = job.make_sampler(), job.make_pruner()
    objective = Objective(job.space, dataset or job.data.load(), job.settings, on_epoch=on_epoch)
    return study, objective
