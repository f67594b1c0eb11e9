"""What one trial's storage calls cost on a SQLite file in WAL mode, one by one or batched.

Optuna's ``RDBStorage`` commits each call in its own transaction. This times, on a fresh
file, 18 ``set_trial_param`` calls (the ``california`` space's ~18 parameters) each in its
own transaction and the same 18 inside one transaction (Optuna's own
``_set_trial_param_without_commit``), 18 ``set_trial_intermediate_value`` calls (one per
epoch), 18 ``get_trial`` reads, 13 ``set_trial_user_attr`` calls, and one trial's creation
and end. It answers whether writing a running trial's records in one transaction would
pay; it decides nothing by itself.

    python -m benchmarks.storage_calls [REPEATS]    # writes results/storage_calls.json
"""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import optuna
from optuna.distributions import FloatDistribution
from optuna.storages._rdb.storage import _create_scoped_session

from benchmarks.run_space import machine
from hpsearch._export import versions

HERE = Path(__file__).resolve().parent

PARAMS, REPORTS, USER_ATTRS = 18, 18, 13  # per trial, as in the 50-trial overhead run


def _ms(began: float) -> float:
    return round(1000 * (time.perf_counter() - began), 1)


def one_repeat(storage: optuna.storages.RDBStorage, study_id: int) -> dict[str, float]:
    """Milliseconds of each kind of call, for one trial's worth of them."""
    dist, row = FloatDistribution(0, 1), {}
    trial = storage.create_new_trial(study_id)
    began = time.perf_counter()
    for i in range(PARAMS):
        storage.set_trial_param(trial, f"p{i}", 0.5, dist)
    row["params_one_transaction_each"] = _ms(began)
    trial = storage.create_new_trial(study_id)
    began = time.perf_counter()
    with _create_scoped_session(storage.scoped_session, True) as session:
        for i in range(PARAMS):
            storage._set_trial_param_without_commit(session, trial, f"p{i}", 0.5, dist)
    row["params_one_transaction"] = _ms(began)
    began = time.perf_counter()
    for step in range(REPORTS):
        storage.set_trial_intermediate_value(trial, step, 0.5)
    row["intermediate_values"] = _ms(began)
    began = time.perf_counter()
    for _ in range(REPORTS):
        storage.get_trial(trial)
    row["get_trial"] = _ms(began)
    began = time.perf_counter()
    for key in range(USER_ATTRS):
        storage.set_trial_user_attr(trial, f"attr_{key}", [0.5, 0.25])
    row["user_attrs"] = _ms(began)
    began = time.perf_counter()
    finished = storage.create_new_trial(study_id)
    storage.set_trial_state_values(finished, optuna.trial.TrialState.COMPLETE, [1.0])
    row["create_and_finish"] = _ms(began)
    return row


def main(repeats: int) -> None:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="storage_calls_") as folder:
        path = Path(folder) / "calls.db"
        connection = sqlite3.connect(path)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.close()
        storage = optuna.storages.RDBStorage(f"sqlite:///{path}")
        study_id = storage.create_new_study([optuna.study.StudyDirection.MINIMIZE], "calls")
        rows = [one_repeat(storage, study_id) for _ in range(repeats)]
        storage.engine.dispose()
    result = {
        "command": f"python -m benchmarks.storage_calls {repeats}",
        "per_trial": {"params": PARAMS, "reports": REPORTS, "user_attrs": USER_ATTRS},
        "milliseconds": rows, "machine": machine(), "versions": versions(),
    }  # fmt: skip
    out = HERE / "results" / "storage_calls.json"
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(rows), "->", out)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
