"""Where workers come from: forks of the warm server, spawn where a fork cannot match."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from hpsearch import _forkserver
from hpsearch._forkserver import worker_context, worker_environment

FORKABLE = sys.platform.startswith("linux")


def _forked_from(_: int) -> tuple[int, bool]:
    """The pid this process was forked from, and whether TensorFlow is loaded there."""
    maps = Path(f"/proc/{os.getppid()}/maps").read_text()
    return os.getppid(), "tensorflow" in maps


@pytest.mark.skipif(not FORKABLE, reason="workers fork on Linux only")
def test_cpu_workers_fork_from_a_server_that_imported_tensorflow():
    context = worker_context([{}, {}])
    assert context.get_start_method() == "forkserver"
    with context.Pool(1) as pool:
        server, loaded = pool.apply(_forked_from, (0,))
    assert server != os.getpid() and loaded  # not this process: the warm server


def _storage_modules_loaded(_: int) -> bool:
    """Whether what Optuna's RDB storage imports on its first open is loaded already."""
    return {"alembic.migration", "sqlalchemy.orm"} <= set(sys.modules)


@pytest.mark.skipif(not FORKABLE, reason="workers fork on Linux only")
def test_a_forked_worker_opens_its_storage_without_importing_more():
    with worker_context([{}, {}]).Pool(1) as pool:
        assert pool.apply(_storage_modules_loaded, (0,))


def test_workers_are_spawned_off_linux(monkeypatch):
    monkeypatch.setattr(sys, "platform", "darwin")
    assert worker_context([{}]).get_start_method() == "spawn"


def test_gpu_workers_are_spawned():
    context = worker_context([{"CUDA_VISIBLE_DEVICES": "0"}, {"CUDA_VISIBLE_DEVICES": "1"}])
    assert context.get_start_method() == "spawn"


@pytest.mark.skipif(not FORKABLE, reason="workers fork on Linux only")
def test_a_backend_changed_since_the_server_started_means_spawn(monkeypatch):
    worker_context([{}])  # the server's import-time environment is recorded
    monkeypatch.setenv("KERAS_BACKEND", "jax" if _forkserver._server_env[0] != "jax" else "torch")
    assert worker_context([{}]).get_start_method() == "spawn"


def test_a_worker_gets_the_environment_as_it_is_at_its_start(monkeypatch):
    monkeypatch.setenv("HPSEARCH_TEST_MARK", "now")
    env = worker_environment({"TF_NUM_INTRAOP_THREADS": "1"})
    assert env["HPSEARCH_TEST_MARK"] == "now" and env["TF_NUM_INTRAOP_THREADS"] == "1"
