"""Studies: samplers and pruners by name, creation and resume, and the trial budget.

A study records what it was created with in a :class:`StudyRecord` (``_record.py``),
so later commands need only its name and storage, and a resume that would mix different
data, ranges or settings is refused.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

import optuna
from optuna.trial import TrialState

if TYPE_CHECKING:  # pandas costs 0.2 s of every command's start-up
    import pandas as pd

from hpsearch._errors import HpsearchError, StudyError
from hpsearch._pruning import SnapshotPruner
from hpsearch._record import RECORD_KEY, StudyRecord, read_record, write_record
from hpsearch._seeded_sampler import TrialSeededSampler
from hpsearch._storage import open_storage, redact

FINISHED = (TrialState.COMPLETE, TrialState.PRUNED)


def _grid_sampler(*, seed: int | None, grid: dict | None) -> optuna.samplers.BaseSampler:
    if not grid:
        raise HpsearchError("--sampler grid needs a space that declares GRID.")
    return optuna.samplers.GridSampler(grid, seed=seed)


def _gp_sampler(*, seed: int | None, grid: dict | None) -> optuna.samplers.BaseSampler:
    try:
        import torch  # noqa: F401 - GPSampler needs it at sampling time
    except ImportError:
        raise HpsearchError('--sampler gp needs PyTorch: pip install -e ".[gp]".') from None
    return optuna.samplers.GPSampler(seed=seed)


#: Sampler name -> factory taking keyword-only ``seed`` and ``grid``.
SAMPLERS: dict[str, Callable[..., optuna.samplers.BaseSampler]] = {
    "tpe": lambda *, seed, grid: optuna.samplers.TPESampler(seed=seed),
    "random": lambda *, seed, grid: optuna.samplers.RandomSampler(seed=seed),
    "grid": _grid_sampler,
    "cmaes": lambda *, seed, grid: optuna.samplers.CmaEsSampler(
        seed=seed, warn_independent_sampling=False
    ),
    "gp": _gp_sampler,
    # Scrambled only with a seed: unscrambled, every seed gives the same Sobol points.
    "qmc": lambda *, seed, grid: optuna.samplers.QMCSampler(
        seed=seed, scramble=seed is not None, warn_independent_sampling=False
    ),
}

#: Samplers whose seed fixes one order (the shuffled grid, the scrambled QMC sequence) and
#: whose study records each trial's place in it: every process must keep the same seed.
ONE_SEQUENCE = ("grid", "qmc")

#: Pruner name -> factory taking ``max_steps`` (folds * max_epochs).
PRUNERS: dict[str, Callable[[int], optuna.pruners.BasePruner]] = {
    "median": lambda max_steps: SnapshotPruner(
        optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=1)
    ),
    # Pruning once 2 trials have completed: with 5, 3-fold trials ran unpruned for the first
    # 51-103 s of 150 s searches (benchmarks/README.md, "Round 12").
    "median-early": lambda max_steps: SnapshotPruner(
        optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=1)
    ),
    "hyperband": lambda max_steps: optuna.pruners.HyperbandPruner(
        min_resource=1, max_resource=max_steps
    ),
    "successive-halving": lambda max_steps: optuna.pruners.SuccessiveHalvingPruner(),
    "wilcoxon": lambda max_steps: optuna.pruners.WilcoxonPruner(p_threshold=0.1),
    "none": lambda max_steps: optuna.pruners.NopPruner(),
}


def make_sampler(name: str, *, seed: int | None, grid: dict | None) -> optuna.samplers.BaseSampler:
    """The sampler ``name``; with a ``seed``, seeded per trial (see ``_seeded_sampler.py``)
    unless it walks one sequence (:data:`ONE_SEQUENCE`)."""
    if name not in SAMPLERS:
        raise HpsearchError(f"unknown sampler {name!r}; known: {', '.join(SAMPLERS)}.")
    factory = SAMPLERS[name]
    if seed is None or name in ONE_SEQUENCE:
        return factory(seed=seed, grid=grid)
    return TrialSeededSampler(lambda trial_seed: factory(seed=trial_seed, grid=grid), seed=seed)


def make_pruner(name: str, *, max_steps: int) -> optuna.pruners.BasePruner:
    if name not in PRUNERS:
        raise HpsearchError(f"unknown pruner {name!r}; known: {', '.join(PRUNERS)}.")
    # Wilcoxon is flagged experimental; the user chose it by name, so one warning per run
    # and per worker process is noise.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return PRUNERS[name](max_steps)


def study_names(storage_url: str) -> list[str]:
    return [s.study_name for s in optuna.get_all_study_summaries(open_storage(storage_url))]


def load_study(
    name: str,
    storage_url: str,
    *,
    sampler: optuna.samplers.BaseSampler | None = None,
    pruner: optuna.pruners.BasePruner | None = None,
) -> optuna.Study:
    """Loads an existing study, or fails naming the studies the storage does hold."""
    storage = open_storage(storage_url)
    try:
        return optuna.load_study(study_name=name, storage=storage, sampler=sampler, pruner=pruner)
    except KeyError:
        known = ", ".join(study_names(storage_url)) or "none"
        raise StudyError(
            f"no study {name!r} in {redact(storage_url)}; studies there: {known}."
        ) from None


def create_or_resume(
    name: str,
    storage_url: str,
    *,
    record: StudyRecord,
    direction: str,
    metric: str,
    sampler: optuna.samplers.BaseSampler,
    pruner: optuna.pruners.BasePruner,
    data_source: str,
) -> optuna.Study:
    """Creates the study with ``record`` written, or resumes it if ``record`` matches.

    ``metric`` names the objective (``val_mse``), so optuna-dashboard's plots say what they
    show instead of "Objective 0".
    """
    storage = open_storage(storage_url)
    study = optuna.create_study(
        study_name=name, storage=storage, direction=direction,
        sampler=sampler, pruner=pruner, load_if_exists=True,
    )  # fmt: skip
    if RECORD_KEY in study.user_attrs:
        recorded = read_record(study)
        recorded.refuse_other(record, name, data_source)
        if recorded.target_trials != record.target_trials:
            write_record(study, replace(recorded, target_trials=record.target_trials))
    else:
        write_record(study, record)
    if study.metric_names != [metric]:
        with warnings.catch_warnings():  # "experimental" since Optuna 3.2
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            study.set_metric_names([metric])
    return study


def count_finished(study: optuna.Study) -> int:
    """Trials that count toward ``--trials``: complete or pruned (failed ones do not)."""
    return len(study.get_trials(deepcopy=False, states=FINISHED))


def trials_frame(study: optuna.Study, *, top: int | None) -> pd.DataFrame:
    """Trials best first (unfinished last), the ``top`` first ones or all, as a DataFrame."""
    frame = study.trials_dataframe(attrs=("number", "value", "state", "duration", "params"))
    if frame.empty:
        raise StudyError(f"study {study.study_name!r} has no trials yet.")
    # A study with a metric name calls its value column after it (value_val_mse).
    frame = frame.rename(columns=lambda c: "value" if str(c).startswith("value_") else c)
    ascending = study.direction == optuna.study.StudyDirection.MINIMIZE
    frame = frame.sort_values("value", ascending=ascending, na_position="last")
    frame = frame.head(top) if top else frame
    frame["duration"] = frame["duration"].dt.total_seconds().round(1)
    return frame.rename(columns=lambda c: c.removeprefix("params_"))
