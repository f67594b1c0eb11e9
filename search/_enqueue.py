"""Known configurations run first (``optimize --enqueue``), before the sampler takes over.

Someone coming from a notebook has a hand-tuned model. Enqueued, it is scored by the same
folds and pruner as every sampled trial, so the search must beat it on equal terms
(Optuna's ``Study.enqueue_trial``). Each file is checked against the space before anything
runs: a misspelt name or a value outside the space's range is an error, not a trial that
silently samples something else.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import optuna
from optuna.distributions import BaseDistribution, CategoricalDistribution, IntDistribution
from optuna.trial import TrialState

from hpsearch._errors import HpsearchError, TrialError
from hpsearch._jsonfile import read_json
from hpsearch._space import Space


class EnqueueError(HpsearchError):
    """An ``--enqueue`` file is unreadable or its parameters do not fit the space."""


DUPLICATE_OF = "duplicate_of"  # user attribute of a skipped copy: the trial that runs instead


class DuplicateStart(TrialError):
    """The same configuration was queued twice; this copy fails at once instead of running."""


def read_params(path: str | Path) -> dict[str, Any]:
    """The parameters in ``path``: an ``hpsearch export`` file, or one ``{name: value}``."""
    content = read_json(path, label="--enqueue file", error=EnqueueError)
    params = content.get("params", content) if isinstance(content, dict) else content
    if not isinstance(params, dict) or not params:
        raise EnqueueError(
            f"{path} must hold a non-empty JSON object of parameters (or an hpsearch export)."
        )
    return params


def _fits(value: Any, distribution: BaseDistribution) -> bool:
    if isinstance(distribution, CategoricalDistribution):
        return value in distribution.choices
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if isinstance(distribution, IntDistribution) and value != int(value):
        return False
    return distribution.low <= value <= distribution.high


def _describe(distribution: BaseDistribution) -> str:
    if isinstance(distribution, CategoricalDistribution):
        return f"one of {list(distribution.choices)}"
    kind = "an integer" if isinstance(distribution, IntDistribution) else "a number"
    return f"{kind} in [{distribution.low}, {distribution.high}]"


def check_params(space: Space, params: dict[str, Any], *, source: str) -> None:
    """Replays ``params`` through the space's ``suggest`` and refuses what does not fit.

    Parameters the space asks for but ``params`` lacks are allowed: the sampler fills them
    in, as ``enqueue_trial`` does.
    """
    study = optuna.create_study()  # a scratch study: only the sampled names matter
    study.enqueue_trial(params)
    trial = study.ask()
    try:
        with warnings.catch_warnings():  # Optuna warns on out-of-range values; we refuse them
            warnings.simplefilter("ignore", UserWarning)
            space.suggest(trial)
    except ValueError as exc:  # a categorical value not among the choices
        raise EnqueueError(f"{source}: does not fit space {space.name!r}: {exc}") from None
    for name, distribution in trial.distributions.items():
        if name in params and not _fits(params[name], distribution):
            raise EnqueueError(
                f"{source}: {name}={params[name]!r} does not fit space {space.name!r}, "
                f"which allows {_describe(distribution)}."
            )
    unused = sorted(set(params) - set(trial.distributions))
    if unused:
        raise EnqueueError(
            f"{source}: space {space.name!r} does not ask for {', '.join(unused)} with these "
            f"values; it asks for {', '.join(trial.distributions)}."
        )


def read_checked(space: Space, paths: tuple[str, ...]) -> list[dict[str, Any]]:
    """Every ``--enqueue`` file's parameters, checked against ``space``."""
    starts = []
    for path in paths:
        params = read_params(path)
        check_params(space, params, source=str(path))
        starts.append(params)
    return starts


def enqueue(study: optuna.Study, starts: list[dict[str, Any]]) -> None:
    """Queues each configuration once: a resumed study that already has it skips it."""
    for params in starts:
        study.enqueue_trial(params, skip_if_exists=True)


def refuse_duplicate_start(trial: optuna.Trial) -> None:
    """Fails ``trial`` if it is a second copy of an enqueued configuration.

    ``enqueue_trial(skip_if_exists=True)`` checks, then writes, so searches that start together
    on one study each queue the same start (Optuna's docs say so). In ``bench_fashion_cnn_gpu``
    three of four processes queued it and each spent 2 minutes training it. The copy with the
    lowest number runs; the others fail here, and TPE ignores failed trials.
    """
    queued = trial.study.get_trials(deepcopy=False)
    own = next(t.system_attrs.get("fixed_params") for t in queued if t.number == trial.number)
    if own is None:
        return
    for earlier in queued:
        if earlier.number >= trial.number or earlier.state == TrialState.FAIL:
            continue
        if earlier.system_attrs.get("fixed_params") == own:
            trial.set_user_attr(DUPLICATE_OF, earlier.number)  # the failure guard skips it
            raise DuplicateStart(
                f"the enqueued configuration of trial {earlier.number} was queued again "
                "(several searches started at once); this copy is skipped."
            )
