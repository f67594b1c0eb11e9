"""Trials in recycled worker processes, so host memory stays flat over long searches.

TensorFlow/Keras keep memory after ``clear_session()`` when many models are fit in one
process (RSS grew ~42 MiB per trial here, ``benchmarks/results/memory.json``; upstream
tensorflow#61791). Each worker is a fresh process that rebuilds the search from a
picklable :class:`SearchJob`, runs up to ``trials_per_worker`` trials against the shared
storage, and exits, returning its memory to the system. The storage is the only state
shared with the parent; progress and epoch events come back over a queue.
"""

from __future__ import annotations

import multiprocessing
import os
import queue as queue_module
import signal
import threading
import time
import traceback
from dataclasses import dataclass

import optuna

from search._errors import HpsearchError, one_line
from search._loaders import load_dataset
from search._quiet import DEBUG_ENV, import_keras_quietly, quiet_logs
from search._search import FIRST_FAILURES, FailureGuard, run_search
from search._settings import SearchSettings
from search._space import load_space
from search._study import count_finished, load_study, make_pruner, make_sampler


@dataclass(frozen=True)
class SearchJob:
    """Everything a worker needs to rebuild the search; all fields are picklable."""

    space_name: str
    space_file: str | None
    data_dir: str | None
    storage: str
    study_name: str
    settings: SearchSettings
    sampler: str
    pruner: str
    n_trials: int


def _stop_with_parent() -> None:
    """Interrupts this worker, as Ctrl-C would, when the parent process is gone.

    A parent killed outright (SIGKILL, the OOM killer) cannot stop its workers, and an
    orphan would go on writing trials that no one waits for. The interrupt fails the
    running trial cleanly. SIGINT is re-enabled first: a worker of a background job
    inherits it ignored.
    """
    signal.signal(signal.SIGINT, signal.default_int_handler)
    parent = multiprocessing.parent_process()

    def watch() -> None:
        parent.join()  # returns when the parent exits
        signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _worker(job: SearchJob, guard: FailureGuard, share: int, deadline, events) -> None:
    """Worker process body: run a share of the trials, report events, then exit.

    Every error comes back to the parent as its one-line message (the parent prints it as
    it would in process); with ``--debug`` the traceback is printed here as well.
    """
    _stop_with_parent()
    try:
        quiet_logs()
        import_keras_quietly()
        from search._objective import Objective  # imports Keras: after the quiet import

        space = load_space(job.space_name, file=job.space_file)
        dataset = load_dataset(space.dataset, job.data_dir)
        study = load_study(job.study_name, job.storage)
        study.sampler = make_sampler(job.sampler, seed=job.settings.seed, grid=space.grid)
        steps = job.settings.folds * job.settings.max_epochs
        study.pruner = make_pruner(job.pruner, max_steps=steps)
        objective = Objective(
            space, dataset, job.settings, on_epoch=lambda *epoch: events.put(("epoch", epoch))
        )
        timeout = None if deadline is None else max(deadline - time.time(), 0.001)
        ran = run_search(
            study, objective, n_trials=job.n_trials, timeout=timeout, guard=guard,
            max_run=share, callbacks=(lambda _, trial: events.put(("trial", trial.number)),),
        )  # fmt: skip
        events.put(("done", guard, ran))
    except KeyboardInterrupt:
        events.put(("interrupted",))
    except Exception as exc:  # noqa: BLE001 - every error reaches the user as one line
        if os.environ.get(DEBUG_ENV):
            traceback.print_exc()
        events.put(("error", one_line(exc)))


def _pump(events, process, study: optuna.Study, progress) -> tuple:
    """Forwards a worker's events to ``progress`` until its final message."""
    while True:
        try:
            kind, *payload = events.get(timeout=1.0)
        except queue_module.Empty:
            if not process.is_alive():
                raise HpsearchError(_died(process.exitcode)) from None
            continue
        if kind == "trial":
            progress(study, study.get_trials(deepcopy=False)[payload[0]])
        elif kind == "epoch":
            progress.on_epoch(*payload[0])
        else:
            return kind, payload


def _died(exitcode: int | None) -> str:
    """What a worker's silent exit means; SIGKILL is what the kernel's OOM killer sends."""
    if exitcode == -signal.SIGKILL:
        how = "was killed (SIGKILL) mid-trial: out of memory, or killed by hand"
    elif exitcode is not None and exitcode < 0:
        how = f"was stopped by signal {signal.Signals(-exitcode).name} mid-trial"
    else:
        how = f"exited with code {exitcode} mid-trial without an error message"
    return f"a worker process {how}; finished trials are kept, rerun to resume."


def _interrupt(process) -> None:
    """Passes an interrupt on to a worker that did not get it (SIGTERM, ``kill -INT``).

    On a terminal, Ctrl-C reaches the whole process group; the grace period lets such a
    worker fail its trial undisturbed before it would get a second interrupt.
    """
    process.join(timeout=5)
    if process.is_alive():
        os.kill(process.pid, signal.SIGINT)


def search_in_workers(
    job: SearchJob, study: optuna.Study, progress, *, trials_per_worker: int, timeout
) -> None:
    """Runs the search as a sequence of worker processes until the budget is met."""
    context = multiprocessing.get_context("spawn")  # a clean interpreter, never a fork of TF
    guard = FailureGuard(min(FIRST_FAILURES, max(job.n_trials - count_finished(study), 1)))
    deadline = None if timeout is None else time.time() + timeout
    while count_finished(study) < job.n_trials:
        events = context.Queue()
        process = context.Process(
            target=_worker, args=(job, guard, trials_per_worker, deadline, events), daemon=True
        )
        process.start()
        try:
            kind, payload = _pump(events, process, study, progress)
        except KeyboardInterrupt:
            _interrupt(process)
            raise
        finally:
            process.join(timeout=60)
        if kind == "error":
            raise HpsearchError(payload[0])
        if kind == "interrupted":
            raise KeyboardInterrupt
        guard, ran = payload
        if ran < trials_per_worker:  # budget met, timeout, or the sampler ran out (grid)
            return
        # Optuna starts one trial whatever the timeout left, so a worker started after the
        # deadline would run a trial past it (bench_california_binary_spline: 3 minutes).
        if deadline is not None and time.time() >= deadline:
            return
