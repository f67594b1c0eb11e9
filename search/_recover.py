"""Trials left RUNNING by a process that died (``kill -9``, the OOM killer, a lost node).

Two ways to notice, both ending the same way: the trial becomes FAIL and a copy of it (same
parameters) is queued again, at most ``MAX_RETRIES`` times (Optuna's
``RetryHeartbeatStaleTrialCallback``), so the study still reaches its trial count.

- Heartbeats, for any machine: a trial whose process stopped beating for the grace period is
  stale (``optuna.storages.fail_stale_trials``). Optuna checks only when a live worker starts
  its next trial, so every ``optimize`` and ``worker`` also checks when it starts.
- Process ids, on this machine: every trial records its host and pid (``Objective``), so a
  RUNNING trial of this host whose process is gone is failed at once, without waiting for
  the grace period: a supervising ``optimize`` does this when a worker dies, and every
  command does it when it opens the study.
"""

from __future__ import annotations

import os
import socket
import warnings

import optuna
from optuna.trial import TrialState

from hpsearch._storage import MAX_RETRIES

ABANDONED = "abandoned"  # user attribute: why a RUNNING trial was failed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    try:  # exited but not yet reaped by its parent
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def fail_and_requeue(study: optuna.Study, trial: optuna.trial.FrozenTrial, why: str) -> bool:
    """Marks ``trial`` FAIL with the reason and queues a copy; False if it had ended."""
    storage = study._storage
    storage.set_trial_user_attr(trial._trial_id, ABANDONED, why)
    try:
        if not storage.set_trial_state_values(trial._trial_id, state=TrialState.FAIL):
            return False
    except optuna.exceptions.UpdateFinishedTrialError:
        return False  # it finished, or another process failed it first
    retry = optuna.storages.RetryHeartbeatStaleTrialCallback(max_retry=MAX_RETRIES)
    retry(study, storage.get_trial(trial._trial_id))
    return True


def recover_abandoned(study: optuna.Study, *, pids: tuple[int, ...] | None = None) -> list[int]:
    """Fails and re-queues the trials whose process is gone; returns their numbers.

    Args:
        pids: Only trials of these processes (a supervisor's dead worker); ``None``: every
            RUNNING trial of this host whose recorded process no longer exists.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        optuna.storages.fail_stale_trials(study)
    host, recovered = socket.gethostname(), []
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        pid = trial.user_attrs.get("pid")
        if trial.user_attrs.get("host") != host or pid is None or pid == os.getpid():
            continue
        if (pid in pids) if pids is not None else not _alive(pid):
            why = f"its process {pid} on {host} died mid-trial"
            if fail_and_requeue(study, trial, why):
                recovered.append(trial.number)
    return recovered
