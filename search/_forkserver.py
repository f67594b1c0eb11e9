"""Where worker processes come from: forks of a warm server, or fresh interpreters.

A fresh interpreter imports TensorFlow before its first trial: ~3.7 s of the ~5 s a worker
took to start here (2 cores), paid again by every recycled worker. A fork of a running
TensorFlow is unsafe (its thread pools and device state do not survive ``fork``), but
Python's fork server forks from a process that has only *imported* Keras (``_warm.py``),
with no op run and no device touched, so a worker starts in ~0.01 s plus its own set-up.

Fresh interpreters ("spawn") are kept where a fork cannot match them: a worker given a GPU
(its ``CUDA_VISIBLE_DEVICES`` must precede any CUDA state), any platform but Linux, and a
parent whose Keras backend or debug flag changed since the server started (both were fixed
when the server imported Keras). The rest of the environment reaches each worker as it is
at the worker's start (``worker_environment``), as it would through spawn.

Either way neither the server nor a worker runs the parent's ``__main__`` again
(``start_worker``).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
from multiprocessing import forkserver
from multiprocessing.context import BaseContext

from hpsearch._quiet import DEBUG_ENV

#: Environment read when the server imports Keras; a change since then needs spawn.
IMPORT_TIME_ENV = ("KERAS_BACKEND", DEBUG_ENV)
_server_env: tuple | None = None  # IMPORT_TIME_ENV's values when this process's server began


def _import_time_env() -> tuple:
    return tuple(os.environ.get(name) for name in IMPORT_TIME_ENV)


def worker_context(envs: list[dict[str, str]]) -> BaseContext:
    """The multiprocessing context for workers with environments ``envs``."""
    global _server_env
    # Linux only: on macOS a fork of a process with system frameworks loaded can crash, which
    # is why Python spawns there by default; Windows has no fork.
    forkable = sys.platform.startswith("linux")
    on_gpu = any("CUDA_VISIBLE_DEVICES" in env for env in envs)
    if not forkable or on_gpu or _server_env not in (None, _import_time_env()):
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    if _server_env is None:
        context.set_forkserver_preload(["hpsearch._warm"])
        _server_env = _import_time_env()
    return context


def worker_environment(env: dict[str, str]) -> dict[str, str]:
    """The parent's environment now, with the worker's own settings over it."""
    return dict(os.environ) | env


@contextlib.contextmanager
def _main_script_left_out():
    """Hides the parent's main script from multiprocessing while a process starts.

    Python's fork server and spawn import the parent's main script in each child (and, in
    some versions, in the server), so that what it defines can be unpickled there. A worker
    gets its search by value (``cloudpickle``) and needs none of it, and running it again
    does harm: a script read from stdin (``python - < search.py``) has no file to run, and
    its worker died of ``FileNotFoundError: '<stdin>'``; a script without an
    ``if __name__ == "__main__"`` guard started its search again in every worker, which
    multiprocessing stops with a ``RuntimeError``, so each worker died. With neither
    ``__spec__`` nor ``__file__`` on the main module, multiprocessing leaves it out.
    """
    main = sys.modules["__main__"]
    saved = {key: main.__dict__[key] for key in ("__spec__", "__file__") if key in main.__dict__}
    main.__dict__.pop("__file__", None)
    main.__spec__ = None
    try:
        yield
    finally:
        main.__dict__.pop("__spec__", None)
        main.__dict__.update(saved)


def start_worker(process: multiprocessing.process.BaseProcess) -> None:
    """Starts ``process`` without having it re-run the parent's ``__main__`` first."""
    with _main_script_left_out():
        process.start()


def prestart(*, on_gpu: bool = False) -> None:
    """Starts the fork server now, if workers will fork from it, so that its import of Keras
    runs while this process imports its own and loads the data, not after them."""
    if not on_gpu and worker_context([{}]).get_start_method() == "forkserver":
        with _main_script_left_out():
            forkserver.ensure_running()
