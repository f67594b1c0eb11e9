"""Does TPE learn to leave models over ``--max-params``? Failed vs pruned-infeasible trials.

Copies a finished study's complete and pruned trials into two fresh in-memory studies, then
lets TPE propose N more trials in each. Each proposal is built, not trained, to count its
parameters. Over the budget, one arm records it as hpsearch did before (FAIL, which TPE
ignores), the other as it does now (``Objective._infeasible``: PRUNED with a positive
``max_params`` constraint). A proposal within the budget would need training for a score,
so both arms record it as FAIL, which TPE ignores alike. The measure is the share of
proposals over the budget; repeated over five sampler seeds.

Usage: python -m benchmarks.over_budget STUDY [N]  (STUDY in benchmarks/studies.db, with a
``--max-params`` budget). Writes ``benchmarks/results/over_budget.json``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import keras
import optuna
from optuna.trial import TrialState

from benchmarks.run_space import machine
from hpsearch import Objective, OverBudget, load_dataset, load_space
from hpsearch._export import versions
from hpsearch._fit import build_model
from hpsearch._record import read_record
from hpsearch._study import FINISHED

HERE = Path(__file__).resolve().parent
SEEDS = (0, 1, 2, 3, 4)


def count_params(space, params: dict, data) -> int:
    """Parameters of the model ``params`` describe, built as a fit would build it."""
    keras.backend.clear_session()
    n_classes = len(data.class_names or ()) or None
    model, *_ = build_model(space, params, data.x[:64], data.y[:64], n_classes=n_classes)
    return model.count_params()


def over_budget_share(finished, space, data, max_params: int, *, seed: int, n: int,
                      infeasible: bool) -> float:  # fmt: skip
    """Share of ``n`` TPE proposals over the budget, after the study's finished trials."""
    study = optuna.create_study(
        direction=space.direction, sampler=optuna.samplers.TPESampler(seed=seed)
    )
    study.add_trials(finished)
    over = 0
    for _ in range(n):
        trial = study.ask()
        n_params = count_params(space, space.suggest(trial), data)
        if n_params > max_params and infeasible:
            Objective._infeasible(trial, OverBudget(n_params, max_params))
            study.tell(trial, state=TrialState.PRUNED)
        else:
            study.tell(trial, state=TrialState.FAIL)
        over += n_params > max_params
    return over / n


def main(study_name: str, n: int = 40) -> None:
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    stored = optuna.load_study(study_name=study_name, storage=f"sqlite:///{HERE / 'studies.db'}")
    record = read_record(stored)
    max_params = record.settings.max_params
    space = load_space(record.space)
    data = load_dataset(record.dataset)
    finished = stored.get_trials(states=FINISHED)
    arms = {"failed (before)": False, "pruned, infeasible (now)": True}
    rows: dict[str, list[float]] = {arm: [] for arm in arms}
    for seed in SEEDS:
        for arm, infeasible in arms.items():
            share = over_budget_share(
                finished, space, data, max_params, seed=seed, n=n, infeasible=infeasible
            )
            rows[arm].append(round(share, 3))
            print(arm, seed, share, flush=True)
    out = HERE / "results" / "over_budget.json"
    out.write_text(json.dumps({
        "study": study_name, "space": record.space, "max_params": max_params,
        "finished_trials_replayed": len(finished), "proposals_per_seed": n,
        "sampler_seeds": list(SEEDS), "share_over_budget": rows, "machine": machine(),
        "versions": versions(), "command": f"python -m benchmarks.over_budget {study_name} {n}",
    }, indent=2) + "\n")  # fmt: skip
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 40)
