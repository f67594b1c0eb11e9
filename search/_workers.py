"""Trials in recycled worker processes, so host memory stays flat over long searches.

TensorFlow/Keras keep memory after ``clear_session()`` when many models are fit in one
process (RSS grew ~42 MiB per trial here, ``benchmarks/results/memory.json``; upstream
tensorflow#61791). Most of that was each trial's graphs, which ``_graphs.py`` now frees
(7 % growth over 50 trials in one process, round 11); workers bound what is left. Each
worker is a fresh process (a fork of a server that has imported Keras once,
``_forkserver.py``, or a spawned interpreter) that rebuilds the search from the
:class:`SearchJob` (sent by value with ``cloudpickle``, so functions defined in a notebook
and arrays in memory work too), runs up to ``trials_per_worker`` trials against the shared
storage, and exits, returning its memory to the system. The storage is the only state
shared with the parent; progress and epoch events come back over a queue.

With ``--workers N`` (or ``--gpus``), N such processes run at once on the same study, each
with its share of the cores (or its own GPU), and a new one takes over each slot until the
study holds its trials. A worker that dies (SIGKILL, the OOM killer) has its trial failed
and queued again (``_recover.py``), and its slot restarts.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue as queue_module
import signal
import sys
import threading
import time
import traceback

import cloudpickle
import optuna

from hpsearch._errors import HpsearchError, one_line
from hpsearch._forkserver import start_worker, worker_context, worker_environment
from hpsearch._job import SearchJob, open_search
from hpsearch._outage import STORAGE_ERRORS
from hpsearch._quiet import DEBUG_ENV, import_keras_quietly, quiet_logs
from hpsearch._recover import recover_abandoned
from hpsearch._search import FIRST_FAILURES, FailureGuard, hit_surplus, run_search
from hpsearch._storage import open_storage, release_connections
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


#: Worker deaths (no final message) a search survives; the next one stops it.
MAX_DEATHS = 3


def worker_environments(workers: int, gpus: tuple[str, ...] = (), per_gpu: int = 1) -> list:
    """One environment per worker: its share of the cores, or its GPU.

    One worker keeps TensorFlow's defaults. Several split the cores (intra-op threads, one
    inter-op thread each) so they do not oversubscribe the machine. With GPUs, each worker
    sees one (``CUDA_VISIBLE_DEVICES``, set before any framework loads), and TensorFlow
    (memory growth) and JAX (no preallocation) take memory as they need it, so ``per_gpu``
    workers can share a device.
    """
    devices = [gpu for gpu in gpus for _ in range(per_gpu)] or [None] * workers
    if len(devices) == 1 and devices[0] is None:
        return [{}]
    threads = str(max(1, (os.cpu_count() or 1) // len(devices)))
    environments = []
    for device in devices:
        env = {"TF_NUM_INTRAOP_THREADS": threads, "TF_NUM_INTEROP_THREADS": "1"}
        if device is not None:
            env |= {"CUDA_VISIBLE_DEVICES": device, "TF_FORCE_GPU_ALLOW_GROWTH": "true",
                    "XLA_PYTHON_CLIENT_PREALLOCATE": "false"}  # fmt: skip
        environments.append(env)
    return environments


def _apply(env: dict[str, str]) -> None:
    """The worker's whole environment (``worker_environment``), set before Keras loads in a
    spawned worker and before TensorFlow runs an op in a forked one; thread pools to match."""
    os.environ.clear()
    os.environ.update(env)
    import_keras_quietly()
    if "TF_NUM_INTRAOP_THREADS" in env and "tensorflow" in sys.modules:
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(int(env["TF_NUM_INTRAOP_THREADS"]))
        tf.config.threading.set_inter_op_parallelism_threads(int(env["TF_NUM_INTEROP_THREADS"]))


def _worker(packed_job: bytes, guard: FailureGuard, share: int, deadline, events, slot: int,
            env: dict[str, str]) -> None:  # fmt: skip
    """Worker process body: run a share of the trials, report events, then exit.

    Every error comes back to the parent as its one-line message (the parent prints it as
    it would in process); with ``--debug`` the traceback is printed here as well.
    """
    _stop_with_parent()
    try:
        quiet_logs()
        _apply(env)  # before the job's space imports Keras
        job: SearchJob = cloudpickle.loads(packed_job)
        hook = lambda *epoch: events.put((slot, "epoch", epoch))  # noqa: E731
        study, objective = open_search(job, on_epoch=hook)
        timeout = None if deadline is None else max(deadline - time.time(), 0.001)
        ran = run_search(
            study, objective, n_trials=job.n_trials, timeout=timeout, guard=guard,
            max_run=share, callbacks=(lambda _, t: events.put((slot, "trial", t.number)),),
        )  # fmt: skip
        # Stopped short, before the deadline, the budget neither met nor taken by others:
        # the sampler ran out (a grid with no point left).
        on_time = deadline is None or time.time() < deadline
        surplus = hit_surplus(study)
        exhausted = ran < share and on_time and not surplus and (
            count_finished(study) < job.n_trials)  # fmt: skip
        events.put((slot, "done", guard, exhausted, surplus))
    except KeyboardInterrupt:
        events.put((slot, "interrupted"))
    except Exception as exc:  # noqa: BLE001 - every error reaches the user as one line
        if os.environ.get(DEBUG_ENV):
            traceback.print_exc()
        events.put((slot, "error", one_line(exc)))


def _died(exitcode: int | None) -> str:
    """What a worker's silent exit means; SIGKILL is what the kernel's OOM killer sends."""
    if exitcode == -signal.SIGKILL:
        how = "was killed (SIGKILL) mid-trial: out of memory, or killed by hand"
    elif exitcode is not None and exitcode < 0:
        how = f"was stopped by signal {signal.Signals(-exitcode).name} mid-trial"
    else:
        how = f"exited with code {exitcode} mid-trial without an error message"
    return f"a worker process {how}; finished trials are kept, rerun to resume."


def _watching(study: optuna.Study, job: SearchJob) -> optuna.Study:
    """The study as this supervising process reads it, holding no idle connection to a server
    database: its workers hold theirs (at most 2 each), so 32 workers fit in 100."""
    if not isinstance(job.storage, str) or job.storage.startswith("sqlite"):
        return study
    release_connections(study._storage)  # the study this process opened before the workers
    return optuna.load_study(study_name=job.study_name,
                             storage=open_storage(job.storage, pooled=False))  # fmt: skip


class _Workers:
    """The running worker processes of one search, one per slot, and their events."""

    def __init__(self, job: SearchJob, study, progress, *, share: int, timeout, envs) -> None:
        self.context = worker_context(envs)
        self.job, self.progress, self.share, self.envs = job, progress, share, envs
        self.study = _watching(study, job)
        self.deadline = None if timeout is None else time.time() + timeout
        self.packed = cloudpickle.dumps(job)  # by value: a notebook's functions and arrays too
        self.events = self.context.Queue()
        self.slots: dict[int, multiprocessing.Process] = {}
        self.refill, self.deaths = True, 0

    def wanted(self) -> bool:
        # Optuna starts one trial whatever the timeout left, so a worker started after the
        # deadline would run a trial past it (bench_california_binary_spline: 3 minutes).
        late = self.deadline is not None and time.time() >= self.deadline
        try:
            done = count_finished(self.study) >= self.job.n_trials
        except STORAGE_ERRORS:  # the new worker will wait for the database, or say it is gone
            done = False
        return self.refill and not late and not done

    def start(self, slot: int, guard: FailureGuard) -> None:
        env = worker_environment(self.envs[slot])
        args = (self.packed, guard, self.share, self.deadline, self.events, slot, env)
        process = self.context.Process(target=_worker, args=args, daemon=True)
        start_worker(process)
        self.slots[slot] = process

    def handle(self, slot: int, kind: str, payload: list) -> None:
        """One event: progress, a worker's end (its slot restarts), or an error."""
        if kind == "trial":
            with contextlib.suppress(*STORAGE_ERRORS):  # a line lost to an outage, not the run
                self.progress(self.study, self.study.get_trials(deepcopy=False)[payload[0]])
        elif kind == "epoch":
            self.progress.on_epoch(*payload[0])
        elif kind == "done":
            self.slots.pop(slot).join(timeout=60)
            guard, exhausted, surplus = payload
            self.refill &= not exhausted  # a grid sampler with no point left
            # The last trials are running elsewhere: a new worker here would only fail a
            # surplus trial and exit, again and again, unless one of them was left RUNNING
            # by a process that is gone (killed, or its database went away mid-trial); that
            # one is failed and queued again, and this slot runs it.
            if (not surplus or recover_abandoned(self.study)) and self.wanted():
                self.start(slot, guard)
        elif kind == "error":
            raise HpsearchError(payload[0])
        else:  # interrupted
            raise KeyboardInterrupt

    def check_deaths(self) -> None:
        """A worker gone without its final message: fail and requeue its trial, restart."""
        for slot, process in list(self.slots.items()):
            if process.is_alive():
                continue
            self.slots.pop(slot)
            recover_abandoned(self.study, pids=(process.pid,))
            self.deaths += 1
            if self.deaths > MAX_DEATHS:
                raise HpsearchError(_died(process.exitcode))
            if self.wanted():
                self.start(slot, FailureGuard(FIRST_FAILURES))

    def run(self) -> None:
        """Handles events until no worker is left, looking for dead workers every second,
        also while the others keep sending events."""
        checked = time.monotonic()
        while self.slots:
            try:
                slot, kind, *payload = self.events.get(timeout=1.0)
            except queue_module.Empty:
                pass
            else:
                self.handle(slot, kind, payload)
            if time.monotonic() - checked >= 1.0:
                self.drain()  # final events of workers that have just exited, first
                self.check_deaths()
                checked = time.monotonic()

    def drain(self) -> None:
        """Events still in the pipe from workers that have just exited."""
        while True:
            try:
                slot, kind, *payload = self.events.get(timeout=0.2)
            except queue_module.Empty:
                return
            self.handle(slot, kind, payload)

    def stop(self) -> None:
        """Passes an interrupt on to workers that did not get it (SIGTERM, ``kill -INT``).

        On a terminal, Ctrl-C reaches the whole process group; the grace period lets such a
        worker fail its trial undisturbed before it would get a second interrupt.
        """
        waited = time.time() + 5
        for process in self.slots.values():
            process.join(timeout=max(waited - time.time(), 0))
        for process in self.slots.values():
            if process.is_alive():
                os.kill(process.pid, signal.SIGINT)
        for process in self.slots.values():
            process.join(timeout=60)


def search_in_workers(job: SearchJob, study: optuna.Study, progress, *, trials_per_worker: int,
                      timeout, envs: list | None = None) -> None:  # fmt: skip
    """Runs the search in worker processes, one per environment in ``envs``, until the
    study holds its trials."""
    workers = _Workers(job, study, progress, share=trials_per_worker, timeout=timeout,
                       envs=envs or [{}])  # fmt: skip
    first = min(FIRST_FAILURES, max(job.n_trials - count_finished(study), 1))
    for slot in range(len(workers.envs)):
        if workers.wanted():
            workers.start(slot, FailureGuard(first))
    try:
        workers.run()
    except BaseException:
        workers.stop()
        raise
