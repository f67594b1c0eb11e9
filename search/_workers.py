"""Trials in recycled worker processes, so host memory stays flat over long searches.

TensorFlow/Keras keep memory after ``clear_session()`` when many models are fit in one
process (RSS grew ~42 MiB per trial here, ``benchmarks/results/memory.json``; upstream
tensorflow#61791). Each worker is a fresh process that rebuilds the search from the
:class:`SearchJob` (sent by value with ``cloudpickle``, so functions defined in a notebook
and arrays in memory work too), runs up to ``trials_per_worker`` trials against the shared
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

import cloudpickle
import optuna

from hpsearch._errors import HpsearchError, one_line
from hpsearch._job import SearchJob, open_search
from hpsearch._quiet import DEBUG_ENV, import_keras_quietly, quiet_logs
from hpsearch._search import FIRST_FAILURES, FailureGuard, run_search
from hpsearch._study import count_finished


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


def _worker(packed_job: bytes, guard: FailureGuard, share: int, deadline, events) -> None:
    """Worker process body: run a share of the trials, report events, then exit.

    Every error comes back to the parent as its one-line message (the parent prints it as
    it would in process); with ``--debug`` the traceback is printed here as well.
    """
    _stop_with_parent()
    try:
        quiet_logs()
        import_keras_quietly()  # before the job's space imports Keras
        job: SearchJob = cloudpickle.loads(packed_job)
        study, objective = open_search(job, on_epoch=lambda *epoch: events.put(("epoch", epoch)))
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
    packed_job = cloudpickle.dumps(job)  # by value: a notebook's functions and arrays too
    while count_finished(study) < job.n_trials:
        events = context.Queue()
        process = context.Process(
            target=_worker,
            args=(packed_job, guard, trials_per_worker, deadline, events),
            daemon=True,
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
