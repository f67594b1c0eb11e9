"""The pipeline behind the CLI verbs: data -> space -> objective -> study -> final test.

Kept apart from ``cli.py`` so that the same steps are callable from Python.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import optuna
import pandas as pd

from search._dataset import Dataset
from search._enqueue import enqueue, read_checked
from search._errors import StudyError
from search._export import export_best
from search._final import AUDIT_KEY, evaluate_study
from search._loaders import load_dataset
from search._objective import Objective
from search._progress import LiveProgress, ProgressLine
from search._publish import publish_final, save_study_note
from search._record import StudyRecord, read_record, upgrade_record
from search._search import run_search
from search._settings import SearchSettings
from search._space import Space, load_space
from search._storage import artifact_store, redact
from search._study import (
    count_finished,
    create_or_resume,
    load_study,
    make_pruner,
    make_sampler,
    study_names,
)
from search._workers import SearchJob, search_in_workers

DEFAULT_SAMPLER, DEFAULT_PRUNER = "tpe", "median"


def _existing_record(study_name: str, storage: str, space: Space) -> StudyRecord | None:
    """The record of an existing study (brought up to date), or ``None``."""
    if study_name not in study_names(storage):
        return None
    study = load_study(study_name, storage)
    upgrade_record(
        study, fingerprint=space.fingerprint, legacy_fingerprint=space.legacy_fingerprint
    )
    return read_record(study)


def resolve_options(
    options: dict[str, Any], recorded: StudyRecord | None
) -> tuple[SearchSettings, str, str]:
    """Settings, sampler and pruner: explicit options over the study's recorded ones over
    defaults.

    An explicit option that differs from the recorded one survives the merge, so the
    resume check in ``create_or_resume`` refuses it instead of mixing settings.
    """
    explicit = {key: value for key, value in options.items() if value is not None}
    names = [f.name for f in fields(SearchSettings)]
    settings = recorded.settings if recorded else SearchSettings()
    settings = replace(settings, **{key: explicit[key] for key in names if key in explicit})
    sampler = explicit.get("sampler", recorded.sampler if recorded else DEFAULT_SAMPLER)
    pruner = explicit.get("pruner", recorded.pruner if recorded else DEFAULT_PRUNER)
    return settings, sampler, pruner


def _record_for(space: Space, dataset: Dataset, settings: SearchSettings, sampler: str,
                pruner: str) -> StudyRecord:  # fmt: skip
    return StudyRecord(
        space=space.name, space_file=space.file, dataset=space.dataset,
        space_fingerprint=space.fingerprint, data_fingerprint=dataset.fingerprint,
        settings=settings, sampler=sampler, pruner=pruner, data_rows=len(dataset.y),
    )  # fmt: skip


def optimize_study(
    *,
    space_name: str | None,
    space_file: str | None,
    n_trials: int,
    timeout: float | None,
    study_name: str | None,
    storage: str,
    data_dir: str | None,
    options: dict[str, Any],
    output_dir: Path | None,
    echo: Callable[[str], None],
    command: str,
    live: bool = False,
    trials_per_worker: int = 0,
    enqueue_files: tuple[str, ...] = (),
) -> optuna.Study:
    """Searches (or resumes) a study up to ``n_trials``, then runs the single final test.

    With ``trials_per_worker`` > 0 the trials run in recycled worker processes of that
    many trials each (see ``_workers.py``); 0 runs them all in this process. The
    configurations in ``enqueue_files`` run first (see ``_enqueue.py``).
    """
    space = load_space(space_name, file=space_file)
    starts = read_checked(space, enqueue_files)  # bad files stop the run before it starts
    study_name = study_name or space.name
    settings, sampler, pruner = resolve_options(
        options, _existing_record(study_name, storage, space)
    )
    dataset = load_dataset(space.dataset, data_dir)
    study = create_or_resume(
        study_name, storage,
        record=_record_for(space, dataset, settings, sampler, pruner),
        direction=space.direction, metric=space.monitor, data_source=dataset.source,
        sampler=make_sampler(sampler, seed=settings.seed, grid=space.grid),
        pruner=make_pruner(pruner, max_steps=settings.folds * settings.max_epochs),
    )  # fmt: skip
    enqueue(study, starts)
    echo(
        f"study {study_name!r} in {redact(storage)}: {count_finished(study)}/{n_trials} trials "
        f"finished; space {space.name}, {len(dataset.y)} training rows from {dataset.source}"
    )
    progress = (
        LiveProgress(n_trials, count_finished(study), timeout=timeout)
        if live
        else ProgressLine(n_trials, echo, timeout=timeout)
    )
    with progress:
        if trials_per_worker:
            job = SearchJob(
                space.name, space.file, data_dir, storage, study_name, settings,
                sampler, pruner, n_trials,
            )  # fmt: skip
            search_in_workers(
                job, study, progress, trials_per_worker=trials_per_worker, timeout=timeout
            )
        else:
            objective = Objective(space, dataset, settings, on_epoch=progress.on_epoch)
            run_search(study, objective, n_trials=n_trials, timeout=timeout, callbacks=(progress,))
    save_study_note(study)
    if output_dir is not None:
        _final_once(study, space, dataset, output_dir, echo, command)
    return study


def _final_once(study, space, dataset, output_dir: Path, echo, command: str) -> None:
    """The final test at the end of ``optimize``, unless this study was tested already."""
    audit = study.user_attrs.get(AUDIT_KEY, [])
    if audit:
        echo(
            f"test set already evaluated on {audit[-1]['time']}: {audit[-1]['metrics']}; "
            f"not evaluating again (hpsearch evaluate {study.study_name} --force does)."
        )
        return
    report = _evaluate_and_publish(study, space, dataset, output_dir, command, force=False)
    echo(f"best trial #{report['trial']}: CV {space.metric} {report['cv']['mean']:.5g}")
    echo(
        f"final fit {report['epochs']} epochs on {report['train_rows']} rows; test: "
        + ", ".join(f"{k}={v:.4g}" for k, v in report["test"].items() if isinstance(v, float))
    )
    echo(f"wrote {output_dir / study.study_name / 'final'}")


def evaluate_stored_study(
    study_name: str, *, storage: str, data_dir: str | None, output_dir: Path,
    force: bool, command: str,
) -> dict[str, Any]:  # fmt: skip
    """``hpsearch evaluate``: the final fit and single test of an existing study."""
    study = load_study(study_name, storage)
    recorded = read_record(study)
    space = load_space(recorded.space, file=recorded.space_file)
    upgrade_record(
        study, fingerprint=space.fingerprint, legacy_fingerprint=space.legacy_fingerprint
    )
    recorded = read_record(study)
    dataset = load_dataset(space.dataset, data_dir)
    now = _record_for(space, dataset, recorded.settings, recorded.sampler, recorded.pruner)
    recorded.refuse_other(now, study_name, dataset.source)
    return _evaluate_and_publish(study, space, dataset, output_dir, command, force=force)


def _evaluate_and_publish(study, space, dataset, output_dir: Path, command: str, *, force: bool):
    """The single test, then its files as dashboard artifacts and the note updated."""
    folder = output_dir / study.study_name / "final"
    report = evaluate_study(study, space, dataset, folder=folder, command=command, force=force)
    publish_final(study, folder, export_best(study), artifact_store(output_dir / "artifacts"))
    save_study_note(study)
    return report


def trials_table(study_name: str, storage: str, *, top: int | None) -> pd.DataFrame:
    """Trials best first (unfinished last), the ``top`` first ones or all, as a DataFrame."""
    study = load_study(study_name, storage)
    frame = study.trials_dataframe(attrs=("number", "value", "state", "duration", "params"))
    if frame.empty:
        raise StudyError(f"study {study_name!r} has no trials yet.")
    # A study with a metric name calls its value column after it (value_val_mse).
    frame = frame.rename(columns=lambda c: "value" if str(c).startswith("value_") else c)
    ascending = study.direction == optuna.study.StudyDirection.MINIMIZE
    frame = frame.sort_values("value", ascending=ascending, na_position="last")
    frame = frame.head(top) if top else frame
    frame["duration"] = frame["duration"].dt.total_seconds().round(1)
    return frame.rename(columns=lambda c: c.removeprefix("params_"))
