"""A new study's first trial: the middle of the space, before the sampler takes over.

Optuna's samplers start with random trials (TPE's first ten), and on a wide space a random
configuration often trains badly: units from 16 to 1568, learning rates over three decades.
With k-fold CV the first finished trial comes only after k full fits, so a poor one leaves the
search with nothing good for a long time. SMAC's initial design starts from the space's
default configuration for this reason, and Optuna users ``enqueue_trial`` a baseline by hand.

The middle is found mechanically, so no one's taste and no earlier result picks it: the
middle of each numeric range (the geometric middle on a log scale), on its step's grid, and
the middle entry of each list of choices. Where there are two middles (an even count of
grid points or choices) the upper one is taken, as ``statistics.median_high`` does. Running
``suggest`` with these answers follows the space's own conditions, so a parameter that exists
only for one optimizer or layer count is in the middle of its own range.

A space whose middle is a poor start can order its choices, or a user can queue their own
starts (``enqueue``), which replace it. It is off by default: in round 10
(``benchmarks/README.md``) it led ``fashion_mlp``'s early checkpoints but was a poor anchor
on ``california``, and on both its best CV at the budget was worse.
"""

from __future__ import annotations

import math
from typing import Any

import optuna
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from optuna.trial import FrozenTrial

from hpsearch._space import Space

START_KEY = "start"  # user attribute of the queued trial, shown in the dashboard
CENTER = "center"


def middle(distribution: BaseDistribution) -> Any:
    """The middle of one distribution (see the module docstring for the rule)."""
    if isinstance(distribution, CategoricalDistribution):
        return distribution.choices[len(distribution.choices) // 2]
    if not isinstance(distribution, (FloatDistribution, IntDistribution)):
        raise TypeError(f"no middle for {distribution!r}")  # Optuna has no other kind
    low, high = distribution.low, distribution.high
    if distribution.log:
        value = math.sqrt(low * high)
        return round(value) if isinstance(distribution, IntDistribution) else value
    step = distribution.step
    if step is None:
        return (low + high) / 2
    grid_points = round((high - low) / step)
    value = low + step * math.ceil(grid_points / 2)
    return int(value) if isinstance(distribution, IntDistribution) else value


class _MiddleSampler(optuna.samplers.BaseSampler):
    """Answers every ``suggest_*`` with :func:`middle`."""

    def infer_relative_search_space(self, study, trial) -> dict[str, BaseDistribution]:
        return {}

    def sample_relative(self, study, trial, search_space) -> dict[str, Any]:
        return {}

    def sample_independent(
        self, study: optuna.Study, trial: FrozenTrial, param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:  # fmt: skip
        return middle(param_distribution)


def center_params(space: Space) -> dict[str, Any] | None:
    """The parameters ``space.suggest`` asks for at the middle of every range.

    Returns ``None`` when ``suggest`` raises there: that trial would fail, so the search
    starts from its sampler instead (``check_suggest`` has already refused a space that
    cannot propose anything at all).
    """
    scratch = optuna.create_study(sampler=_MiddleSampler())
    trial = scratch.ask()
    try:
        space.suggested(trial)
    except Exception:  # noqa: BLE001 - a trial-level error: sampled trials will show it
        return None
    return dict(trial.params)


def queue_center(study: optuna.Study, space: Space) -> bool:
    """Queues the middle of ``space`` as the first trial of ``study``, if it has no trials.

    A resumed study, or one that already holds queued starts, keeps what it has. Processes
    that create the study at once may each queue it; the objective runs the first copy only
    (``refuse_duplicate_start``). Returns whether it was queued.
    """
    if study.get_trials(deepcopy=False):
        return False
    params = center_params(space)
    if not params:
        return False
    study.enqueue_trial(params, user_attrs={START_KEY: CENTER}, skip_if_exists=True)
    return True
