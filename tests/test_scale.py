"""Many workers on one study: --workers N locally, `hpsearch worker` on a shared PostgreSQL,
and processes killed mid-trial (no trial left RUNNING, none lost, the count exact).

The PostgreSQL tests need a server: `.ci/run` starts one and sets ``HPSEARCH_TEST_POSTGRES``
to its URL; without it they skip.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

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


def test_each_worker_gets_its_gpu_and_its_share_of_the_cores(runner, storage):
    from hpsearch._workers import worker_environments

    assert worker_environments(1) == [{}]  # one worker keeps TensorFlow's defaults
    two = worker_environments(2)
    assert [env["TF_NUM_INTRAOP_THREADS"] for env in two] == [str(max(1, os.cpu_count() // 2))] * 2
    gpus = worker_environments(1, ("0", "3"), per_gpu=2)
    assert [env["CUDA_VISIBLE_DEVICES"] for env in gpus] == ["0", "0", "3", "3"]
    assert all(env["TF_FORCE_GPU_ALLOW_GROWTH"] == "true" for env in gpus)
    assert all(env["XLA_PYTHON_CLIENT_PREALLOCATE"] == "false" for env in gpus)
    # On this CPU machine the ids reach the workers (TensorFlow then finds no GPU and uses the
    # CPU): each trial records the device its worker was given.
    result = optimize(runner, storage, "--no-final", "--gpus", "0,1", "--pruner", "none",
                      trials=4)  # fmt: skip
    assert result.exit_code == 0, result.output
    ran = [t for t in _trials(storage) if t.state == TrialState.COMPLETE]
    assert len(ran) == 4 and {t.user_attrs["cuda_visible_devices"] for t in ran} == {"0", "1"}


def test_a_worker_refuses_a_study_whose_data_file_changed(runner, storage, tmp_path):
    from sklearn.datasets import load_wine

    from hpsearch.cli import cli
    from tests.conftest import REPO

    frame = load_wine(as_frame=True).frame
    frame.to_csv("wine.csv", index=False)
    created = runner.invoke(cli, [
        "optimize", "--space-file", str(REPO / "examples" / "tabular_space.py"), "--trials", "2",
        "--data", "wine.csv", "--target", "target", "--storage", storage, "--create-only",
    ])  # fmt: skip
    assert created.exit_code == 0, created.output
    frame.iloc[:-5].to_csv("wine.csv", index=False)
    joined = runner.invoke(cli, ["worker", "--study", "tabular_space", "--storage", storage])
    assert joined.exit_code == 1 and "the training data changed since study" in joined.output
    assert _trials(storage, "tabular_space") == []


def _own_server(tmp_path) -> tuple[list[str], str]:
    """A PostgreSQL server of this test's own (the shared one must stay up for the others)."""
    import socket

    from tests.conftest import REPO

    if not list(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")):
        pytest.skip("needs PostgreSQL's server (apt-get install postgresql)")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    control = [str(REPO / ".ci" / "postgres")]
    # In /tmp itself: the server runs as the postgres user, who cannot enter pytest's folders.
    folder = tempfile.mkdtemp(prefix="hpsearch-pg-")
    start = [*control, "start", folder, str(port)]
    url = subprocess.run(start, capture_output=True, text=True, check=True).stdout.strip()
    return [start, [*control, "stop", folder]], url


@pytest.mark.parametrize("back_after", [3, None], ids=["comes-back", "stays-away"])
def test_a_database_that_goes_away_is_waited_for_then_given_up_in_one_line(back_after, tmp_path,
                                                                         data_dir):  # fmt: skip
    (start, stop), url = _own_server(tmp_path)
    try:
        created = subprocess.run(
            [HPSEARCH, "optimize", "--space-file", space_file("tiny"), "--trials", "8", *TINY,
             "--pruner", "none", "--storage", url, "--create-only"],
            env={**os.environ, "HPSEARCH_DATA_DIR": str(data_dir)}, capture_output=True,
            text=True, timeout=120,
        )  # fmt: skip
        assert created.returncode == 0, created.stdout + created.stderr
        wait = "30" if back_after else "4"
        worker = _hpsearch("worker", "--storage", url, "--study", "tiny", cwd=tmp_path,
                           env={"HPSEARCH_DATA_DIR": str(data_dir),
                                "HPSEARCH_OUTAGE_SECONDS": wait})  # fmt: skip
        _wait_for(lambda: _count(_states(url), TrialState.COMPLETE) >= 2)
        subprocess.run(stop, check=True)
        if back_after:
            time.sleep(back_after)  # the outage itself: the database is down this long
            subprocess.run(start, check=True, capture_output=True)
        output, _ = worker.communicate(timeout=300)
        if not back_after:
            assert worker.returncode == 1, output
            (line,) = [x for x in output.splitlines() if x.startswith("Error")]
            assert "the study's database stopped answering" in line and "within 4 s" in line
            subprocess.run(start, check=True, capture_output=True)
            assert _count(_states(url), TrialState.COMPLETE) >= 2  # nothing finished lost
        else:
            assert worker.returncode == 0, output
            states = _states(url)
            assert _count(states, TrialState.COMPLETE) == 8
            assert _count(states, TrialState.RUNNING) == 0
    finally:
        subprocess.run(stop, capture_output=True)
        shutil.rmtree(start[2], ignore_errors=True)
