"""The pipeline, one Python function per job: ``optimize``, and ``join`` for a worker.

``optimize`` reads top to bottom: prepare (space, data, settings, study record) -> search
(in this process or in workers) -> final fit and single test (``_evaluate.py``) -> note
and artifacts. The CLI only turns names and files into arguments of these same functions.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import optuna

from hpsearch._enqueue import check_params, read_params
from hpsearch._enqueue import enqueue as enqueue_starts
from hpsearch._errors import StudyError
from hpsearch._evaluate import final_once
from hpsearch._job import SearchJob, open_search
from hpsearch._prepare import (
    as_data,
    as_space,
    check_suggest,
    existing_record,
    record_for,
    recorded_data,
    recorded_space,
    resolve_options,
    with_task,
)
from hpsearch._progress import LiveProgress, ProgressLine
from hpsearch._publish import save_study_note
from hpsearch._quiet import import_keras_quietly, quiet_logs
from hpsearch._record import read_record
from hpsearch._recover import recover_abandoned
from hpsearch._result import SearchResult
from hpsearch._search import run_search
from hpsearch._start import check_start, queue_start
from hpsearch._storage import redact
from hpsearch._study import count_finished, create_or_resume, load_study
from hpsearch._workers import search_in_workers, worker_environments


def optimize(
    space: Any,
    data: Any = None,
    *,
    trials: int = 20,
    folds: int | None = None,
    max_epochs: int | None = None,
    patience: int | None = None,
    subsample: float | None = None,
    seed: int | None = None,
    max_params: int | None = None,
    max_trial_seconds: float | None = None,
    fold_halving: int | None = None,
    sampler: str | None = None,
    pruner: str | None = None,
    timeout: float | None = None,
    storage: Any = None,
    study_name: str | None = None,
    final: bool = True,
    output_dir: str | Path | None = None,
    trials_per_worker: int = 0,
    workers: int = 1,
    gpus: tuple[str, ...] = (),
    workers_per_gpu: int = 1,
    create_only: bool = False,
    enqueue: Iterable[dict[str, Any] | str] = (),
    start: str | None = None,
    data_dir: str | None = None,
    echo: Callable[[str], None] = print,
    live: bool = False,
    command: str | None = None,
) -> SearchResult:
    """Searches (or resumes) a study to ``trials`` finished trials, then tests the best once.

    Args:
        space: A built-in space name, a ``.py`` file, a module, :class:`hpsearch.Space`, or a
            KerasTuner ``build(hp)`` / ``HyperModel``.
        data: A built-in data set name, a data file (``.csv``/``.parquet`` need a
            :class:`DataFile` with its target), :class:`hpsearch.Data`, ``(x, y)`` or
            ``(x, y, x_test, y_test)``; ``None``: the space's own (``DATASET`` or ``load()``).
        trials: The study ends with this many finished (complete or pruned) trials in total.
        folds, max_epochs, patience, subsample, seed, max_params, max_trial_seconds,
            fold_halving: The objective's settings (:class:`hpsearch.SearchSettings`);
            ``None``: the study's recorded value, else the default. A value that differs
            from the record is refused.
        sampler, pruner: By name (``hpsearch._study.SAMPLERS`` / ``PRUNERS``).
        timeout: Seconds after which no trial starts.
        storage: An Optuna storage URL or object; ``None``: in memory, this process only.
        study_name: Defaults to the space's name.
        final: Retrain the best trial on all training rows and evaluate it once on the test.
        output_dir: Where ``<study>/final/`` (model, metrics, plots) and the dashboard's
            artifacts are written; ``None``: nothing is written, the model is returned.
        trials_per_worker: Trials per fresh worker process (memory stays flat); 0: all here.
        workers: Worker processes at once on this study, the cores split between them.
        gpus: One worker per GPU id (``CUDA_VISIBLE_DEVICES``), ``workers_per_gpu`` each.
        create_only: Create the study (and queue ``enqueue``) for ``hpsearch worker``
            processes elsewhere; run no trial.
        enqueue: Configurations to run first: ``{param: value}`` dicts or JSON files.
        start: On a new study with nothing enqueued, trial 0 follows this rule:
            ``"center"`` (the middle of the space), ``"low-cost"`` (the space's
            ``LOW_COST``, the middle elsewhere) or ``"baseline"`` (the space's ``BASELINE``);
            ``None``: the sampler's (``hpsearch._start``).
        data_dir: Folder of local copies of the built-in data sets.
        echo: Receives the progress lines; ``print`` by default.
        live: A live progress bar (for terminals).
        command: How the audit log names this call.
    """
    quiet_logs()
    import_keras_quietly()
    space = as_space(space)
    source = as_data(data, space, data_dir)
    starts = _checked_starts(space, enqueue)  # bad starts stop the run before anything runs
    check_start(start, space)
    dataset = source.load()
    space = with_task(space, dataset, echo)
    check_suggest(space)
    study_name = study_name or space.name
    storage = optuna.storages.InMemoryStorage() if storage is None else storage
    trials_per_worker, envs = _worker_plan(
        storage, trials_per_worker, echo, worker_environments(workers, gpus, workers_per_gpu)
    )
    options = dict(folds=folds, max_epochs=max_epochs, patience=patience, subsample=subsample,
                   seed=seed, max_params=max_params, max_trial_seconds=max_trial_seconds,
                   fold_halving=fold_halving,
                   sampler=sampler, pruner=pruner)  # fmt: skip
    settings, sampler, pruner = resolve_options(
        options, existing_record(study_name, storage, space)
    )
    job = SearchJob(space, source, storage, study_name, settings, sampler, pruner, trials)
    study = _open_study(job, dataset, starts, echo, start=start)
    if create_only:
        echo(f"created study {study_name!r} in {redact(storage)} for {trials} trials; "
             f"join it with: hpsearch worker --storage URL --study {study_name}")  # fmt: skip
        return SearchResult(study)
    echo(
        f"study {study_name!r} in {redact(storage)}: {count_finished(study)}/{trials} trials "
        f"finished; space {space.name}, {len(dataset.y)} training rows from {dataset.source}"
    )
    _search(job, study, dataset, echo=echo, live=live, timeout=timeout,
            trials_per_worker=trials_per_worker, envs=envs)  # fmt: skip
    save_study_note(study)
    if not final:
        return SearchResult(study)
    command = command or f"hpsearch.optimize (user {getpass.getuser()})"
    return final_once(study, space, dataset, output_dir, echo, command)


def _worker_plan(storage, trials_per_worker: int, echo, envs: list) -> tuple[int, list]:
    """Trials per worker process and the workers' environments; several workers need
    processes, and an in-memory study runs in this one."""
    trials_per_worker = trials_per_worker or (10 if len(envs) > 1 else 0)
    if trials_per_worker and isinstance(storage, optuna.storages.InMemoryStorage):
        echo("note: an in-memory study cannot be shared with worker processes; trials run here.")
        return 0, [{}]
    return trials_per_worker, envs


def _open_study(job: SearchJob, dataset, starts: list, echo, *,
                start: str | None) -> optuna.Study:  # fmt: skip
    """Creates or resumes the job's study (record checked), queues the starts (or, on a new
    study, the ``start`` rule's trial 0), and fails and re-queues what dead processes left
    RUNNING."""
    space = job.space
    record = record_for(space, job.data, dataset, job.settings, job.sampler, job.pruner,
                        job.n_trials)  # fmt: skip
    study = create_or_resume(
        job.study_name, job.storage, record=record, direction=space.direction,
        metric=space.monitor, data_source=dataset.source, sampler=job.make_sampler(),
        pruner=job.make_pruner(),
    )  # fmt: skip
    enqueue_starts(study, starts)
    queued = queue_start(study, space, start) if start else None
    if queued:
        echo(f"trial 0 is {queued}; the sampler proposes the rest.")
    _recover(study, echo)
    return study


def _checked_starts(space, starts: Iterable[dict[str, Any] | str]) -> list[dict[str, Any]]:
    """Each start as parameters (a file is read), checked against the space."""
    checked = []
    for start in starts:
        params = start if isinstance(start, dict) else read_params(start)
        check_params(space, params, source=str(start) if isinstance(start, str) else "enqueue")
        checked.append(params)
    return checked


def _recover(study, echo) -> None:
    """Fails and re-queues what processes that died left RUNNING, and says so."""
    recovered = recover_abandoned(study)
    if recovered:
        echo(f"trials {', '.join(map(str, recovered))} were left running by processes that "
             "died; marked failed and queued again.")  # fmt: skip


def _search(job: SearchJob, study, dataset, *, echo, live, timeout, trials_per_worker,
            envs=None) -> None:  # fmt: skip
    """Runs the trials, here or in worker processes, with progress lines."""
    done = count_finished(study)
    progress = (
        LiveProgress(job.n_trials, done, timeout=timeout)
        if live
        else ProgressLine(job.n_trials, echo, timeout=timeout)
    )
    with progress:
        if trials_per_worker:
            search_in_workers(job, study, progress, trials_per_worker=trials_per_worker,
                              timeout=timeout, envs=envs)  # fmt: skip
            return
        hook = progress.on_epoch
        study, objective = open_search(job, dataset=dataset, study=study, on_epoch=hook)
        run_search(study, objective, n_trials=job.n_trials, timeout=timeout, callbacks=(progress,))


def join(
    study_name: str, storage: Any, *, data_dir: str | None = None, trials_per_worker: int = 10,
    workers: int = 1, gpus: tuple[str, ...] = (), workers_per_gpu: int = 1,
    timeout: float | None = None, echo: Callable[[str], None] = print,
) -> SearchResult:  # fmt: skip
    """Works on a study another command created (``hpsearch worker``), from its record alone.

    The record gives the space (built in, or a space file's code as recorded), the data (a
    built-in data set or a data file, which must exist here with the same fingerprint), the
    settings and the trial count. Returns when the study holds its trials.
    """
    quiet_logs()
    import_keras_quietly()
    study = load_study(study_name, storage)
    recorded = read_record(study)
    if recorded.target_trials is None:
        raise StudyError(
            f"study {study_name!r} records no trial count; run hpsearch optimize on it once "
            "with --trials N (--create-only runs none)."
        )
    space = recorded_space(recorded.space, recorded.space_file, recorded.space_source)
    source = recorded_data(recorded.data_source, space, data_dir)
    dataset = source.load()
    space = with_task(space, dataset, echo)
    settings, sampler, pruner = recorded.settings, recorded.sampler, recorded.pruner
    recorded.refuse_other(record_for(space, source, dataset, settings, sampler, pruner),
                          study_name, dataset.source)  # fmt: skip
    _recover(study, echo)
    job = SearchJob(space, source, storage, study_name, settings, sampler, pruner,
                    recorded.target_trials)  # fmt: skip
    echo(f"worker on study {study_name!r} in {redact(storage)}: {count_finished(study)}/"
         f"{job.n_trials} trials finished")  # fmt: skip
    envs = worker_environments(workers, gpus, workers_per_gpu)
    _search(job, study, dataset, echo=echo, live=False, timeout=timeout,
            trials_per_worker=trials_per_worker, envs=envs)  # fmt: skip
    save_study_note(study)
    return SearchResult(study)
