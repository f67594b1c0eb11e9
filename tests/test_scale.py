"""Many workers on one study: --workers N locally, `hpsearch worker` on a shared PostgreSQL,
and processes killed mid-trial (no trial left RUNNING, none lost, the count exact).

The PostgreSQL tests need a server: `.ci/run` starts one and sets ``HPSEARCH_TEST_POSTGRES``
to its URL; without it they skip.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid

import optuna
import pytest
from optuna.trial import TrialState

from tests.conftest import space_file
from tests.helpers import HPSEARCH, TINY, optimize

POSTGRES = os.environ.get("HPSEARCH_TEST_POSTGRES")
needs_postgres = pytest.mark.skipif(
    not POSTGRES, reason="needs a PostgreSQL server: HPSEARCH_TEST_POSTGRES=URL (.ci/run sets it)"
)


def _states(storage: str, name: str = "tiny") -> list[TrialState]:
    return [t.state for t in _trials(storage, name)]


def _trials(storage: str, name: str = "tiny") -> list[optuna.trial.FrozenTrial]:
    try:
        return optuna.load_study(study_name=name, storage=storage).get_trials()
    except KeyError:  # not created yet
        return []


def _wait_for(condition, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.5)


def _count(states, *wanted) -> int:
    return sum(state in wanted for state in states)


def _hpsearch(*args: str, env: dict | None = None, cwd=None) -> subprocess.Popen:
    return subprocess.Popen(
        [HPSEARCH, *args], cwd=cwd, env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def test_two_local_workers_share_one_exact_budget(runner, storage):
    result = optimize(runner, storage, "--no-final", "--workers", "2", "--pruner", "none",
                      trials=5)  # fmt: skip
    assert result.exit_code == 0, result.output
    trials = _trials(storage)
    assert _count([t.state for t in trials], TrialState.COMPLETE) == 5
    assert _count([t.state for t in trials], TrialState.RUNNING) == 0
    ran = [t for t in trials if t.state != TrialState.FAIL]  # a surplus trial fails at once
    assert len({t.user_attrs["pid"] for t in ran}) == 2  # both workers ran trials


def _stalled_search(tmp_path, data_dir, *extra: str) -> tuple[subprocess.Popen, str, int]:
    """``optimize --workers 2`` in its own process, one worker waiting inside trial 1."""
    storage = f"sqlite:///{tmp_path}/s.db"
    search = _hpsearch(
        "optimize", "--space-file", space_file("tiny"), "--trials", "4", *TINY, "--no-final",
        "--pruner", "none", "--storage", storage, *extra,
        env={"HPSEARCH_DATA_DIR": str(data_dir), "HPSEARCH_TEST_STALL_AT": "1"}, cwd=tmp_path,
    )  # fmt: skip
    _wait_for(lambda: [t.state for t in _trials(storage)][1:2] == [TrialState.RUNNING]
              and "pid" in _trials(storage)[1].user_attrs)  # fmt: skip
    return search, storage, _trials(storage)[1].user_attrs["pid"]


def test_a_worker_killed_mid_trial_is_replaced_and_its_trial_retried(tmp_path, data_dir):
    search, storage, worker = _stalled_search(tmp_path, data_dir, "--workers", "2")
    os.kill(worker, signal.SIGKILL)  # the OOM killer, or a lost node
    output, _ = search.communicate(timeout=300)
    assert search.returncode == 0, output
    trials = _trials(storage)
    states = [t.state for t in trials]
    assert _count(states, TrialState.COMPLETE) == 4 and _count(states, TrialState.RUNNING) == 0
    assert states[1] == TrialState.FAIL and "died mid-trial" in trials[1].user_attrs["abandoned"]
    retried = [t for t in trials if t.system_attrs.get("failed_trial") == 1]
    assert [t.state for t in retried] == [TrialState.COMPLETE]  # queued again, then run


def test_sigterm_stops_every_worker_and_the_same_command_resumes(tmp_path, data_dir):
    search, storage, _ = _stalled_search(tmp_path, data_dir, "--workers", "2")
    search.send_signal(signal.SIGTERM)  # a batch scheduler's time limit
    output, _ = search.communicate(timeout=120)
    assert search.returncode == 130 and "rerun to resume" in output, output
    assert TrialState.RUNNING not in _states(storage)  # every worker failed its trial
    resumed = _hpsearch("optimize", "--space-file", space_file("tiny"), "--trials", "4", *TINY,
                        "--no-final", "--pruner", "none", "--storage", storage, "--workers", "2",
                        env={"HPSEARCH_DATA_DIR": str(data_dir)}, cwd=tmp_path)  # fmt: skip
    output, _ = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, output
    states = _states(storage)
    assert _count(states, TrialState.COMPLETE) == 4 and _count(states, TrialState.RUNNING) == 0


def test_a_search_killed_outright_is_cleaned_by_the_next_command(tmp_path, data_dir):
    search, storage, worker = _stalled_search(tmp_path, data_dir, "--trials-per-worker", "5")
    for pid in (search.pid, worker):  # parent and worker at once: nothing can clean up
        os.kill(pid, signal.SIGKILL)
    search.communicate(timeout=30)
    assert TrialState.RUNNING in _states(storage)  # what a lost node leaves behind
    resumed = _hpsearch("optimize", "--space-file", space_file("tiny"), "--trials", "4", *TINY,
                        "--no-final", "--pruner", "none", "--storage", storage,
                        env={"HPSEARCH_DATA_DIR": str(data_dir)}, cwd=tmp_path)  # fmt: skip
    output, _ = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, output
    assert "trials 1 were left running by processes that died" in output
    states = _states(storage)
    assert _count(states, TrialState.COMPLETE) == 4 and _count(states, TrialState.RUNNING) == 0


def _create_on_postgres(data_dir, trials: int) -> str:
    """A new study on the test server, created for `hpsearch worker` processes to join."""
    name = f"tiny_{uuid.uuid4().hex[:8]}"
    created = subprocess.run(
        [HPSEARCH, "optimize", "--space-file", space_file("tiny"), "--trials", str(trials),
         *TINY, "--pruner", "none", "--storage", POSTGRES, "--study-name", name,
         "--create-only"],
        env={**os.environ, "HPSEARCH_DATA_DIR": str(data_dir)}, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert created.returncode == 0, created.stdout + created.stderr
    assert f"created study {name!r}" in created.stdout and _trials(POSTGRES, name) == []
    return name


@needs_postgres
def test_two_workers_on_postgres_reach_exactly_the_count(data_dir, tmp_path):
    study = _create_on_postgres(data_dir, trials=4)
    env = {"HPSEARCH_DATA_DIR": str(data_dir)}
    workers = [_hpsearch("worker", "--storage", POSTGRES, "--study", study, env=env,
                         cwd=tmp_path) for _ in range(2)]  # fmt: skip
    for worker in workers:
        output, _ = worker.communicate(timeout=300)
        assert worker.returncode == 0, output
    trials = _trials(POSTGRES, study)
    assert _count([t.state for t in trials], TrialState.COMPLETE) == 4
    assert all(t.user_attrs.get("surplus") for t in trials if t.state == TrialState.FAIL)
    assert len({t.user_attrs["pid"] for t in trials if t.state != TrialState.FAIL}) == 2
    again = _hpsearch("worker", "--storage", POSTGRES, "--study", study, env=env, cwd=tmp_path)
    output, _ = again.communicate(timeout=120)
    assert again.returncode == 0 and "4/4 trials finished" in output  # nothing left: exit 0


@needs_postgres
def test_a_killed_postgres_worker_is_failed_by_heartbeat_and_retried(data_dir, tmp_path):
    study = _create_on_postgres(data_dir, trials=8)
    # Heartbeats every 1 s, stale after 4 s (the default is 30 s / 90 s).
    env = {"HPSEARCH_DATA_DIR": str(data_dir), "HPSEARCH_HEARTBEAT": "1,4"}
    args = ["worker", "--storage", POSTGRES, "--study", study, "--trials-per-worker", "0"]
    stalled = _hpsearch(*args, cwd=tmp_path, env=env | {"HPSEARCH_TEST_STALL_AT": "0"})
    _wait_for(lambda: [t.state for t in _trials(POSTGRES, study)] == [TrialState.RUNNING])
    other = _hpsearch(*args, cwd=tmp_path, env=env)  # sees a live trial 0 when it starts
    _wait_for(lambda: len(_trials(POSTGRES, study)) >= 2)
    stalled.kill()  # SIGKILL: trial 0 stops beating; only its heartbeat can tell
    stalled.communicate(timeout=30)
    output, _ = other.communicate(timeout=300)
    assert other.returncode == 0, output
    trials = _trials(POSTGRES, study)
    states = [t.state for t in trials]
    assert states[0] == TrialState.FAIL and _count(states, TrialState.RUNNING) == 0
    assert _count(states, TrialState.COMPLETE) == 8
    assert any(t.system_attrs.get("failed_trial") == 0 for t in trials)  # retried
