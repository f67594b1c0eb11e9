"""A new study's first trial, chosen by a rule before the sampler takes over.

Optuna's samplers start with random trials (TPE's first ten), and on a wide space a random
configuration often trains badly: units from 16 to 1568, learning rates over three decades.
With k-fold CV the first finished trial comes only after k full fits, so a poor or slow one
leaves the search with nothing good for a long time. Three rules pick trial 0 instead
(``optimize(start=...)``, ``--start``):

- ``center``: the middle of the space. SMAC's initial design starts from the space's default
  configuration for this reason, and Optuna users ``enqueue_trial`` a baseline by hand.
- ``low-cost``: the parameters the space declares in ``LOW_COST`` (its cost-related ones, at
  their cheap end: fewest layers, fewest units, largest batch) and the middle for the rest.
  This is FLAML's ``low_cost_partial_config``, which CFO starts from: a first trial that
  finishes in a few seconds, so the search has a sound result early at little cost.
- ``baseline``: the configuration the space declares in ``BASELINE``: a model known from the
  field to train well and cheaply on its kind of data (for ``fashion_mlp``, the model of
  TensorFlow's "Basic classification" tutorial in the space's terms), with the middle for any
  name it leaves out. It is SMAC's default configuration written by the space's author, and
  what an Optuna user ``enqueue_trial``s by hand; unlike the two rules above it is taste, so
  it is named in the space, not found by the engine.

The middle is found mechanically, so no one's taste and no earlier result picks it: the
middle of each numeric range (the geometric middle on a log scale), on its step's grid, and
the middle entry of each list of choices. Where there are two middles (an even count of
grid points or choices) the upper one is taken, as ``statistics.median_high`` does. Running
``suggest`` with these answers follows the space's own conditions, so a parameter that exists
only for one optimizer or layer count is in the middle of its own range.

A start trial is a reference, not a draw: the median pruner leaves it out of the epoch
scores it compares with (``_pruning``), so a strong start does not raise the bar for the
sampler's own trials. A user's own starts (``enqueue``) replace any of them.

All are off by default, each having failed its declared rule (``benchmarks/README.md``): the
middle led early checkpoints but lost at the budget (rounds 10 and 21); the low-cost corner
ends its first trial sooner but is a weak model, which cost ``california`` its first minute
(round 35); the baseline gives ``fashion_mlp`` a sound result within 12 s, but searches that
start from it ended lower on CV (round 38, and round 39 with the start out of the pruner's
median).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import optuna
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from optuna.trial import FrozenTrial

from hpsearch._enqueue import EnqueueError, check_params
from hpsearch._errors import HpsearchError, SpaceError
from hpsearch._space import Space

START_KEY = "start"  # user attribute of the queued trial, shown in the dashboard
CENTER = "center"
LOW_COST = "low-cost"
BASELINE = "baseline"


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


class _StartSampler(optuna.samplers.BaseSampler):
    """Answers every ``suggest_*`` with the pinned value if there is one, else :func:`middle`."""

    def __init__(self, pinned: dict[str, Any] | None = None) -> None:
        self._pinned = pinned or {}

    def infer_relative_search_space(self, study, trial) -> dict[str, BaseDistribution]:
        return {}

    def sample_relative(self, study, trial, search_space) -> dict[str, Any]:
        return {}

    def sample_independent(
        self, study: optuna.Study, trial: FrozenTrial, param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:  # fmt: skip
        if param_name in self._pinned:
            return self._pinned[param_name]
        return middle(param_distribution)


def center_params(space: Space, pinned: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The parameters ``space.suggest`` asks for at the middle of every range (or at
    ``pinned``'s value, for the names it has).

    Returns ``None`` when ``suggest`` raises there: that trial would fail, so the search
    starts from its sampler instead (``check_suggest`` has already refused a space that
    cannot propose anything at all).
    """
    scratch = optuna.create_study(sampler=_StartSampler(pinned))
    trial = scratch.ask()
    try:
        space.suggested(trial)
    except Exception:  # noqa: BLE001 - a trial-level error: sampled trials will show it
        return None
    return dict(trial.params)


#: The rules that start from a configuration the space declares: the ``Space`` attribute
#: holding it, the module constant it comes from, and what a space declares there.
DECLARED = {
    LOW_COST: ("low_cost", "LOW_COST", "its cost-related parameters at their cheap end (e.g. "
               "LOW_COST = {'n_layers': 1})"),
    BASELINE: ("baseline", "BASELINE", "a configuration known to train well and cheaply (e.g. "
               "BASELINE = {'n_layers': 1, 'units_0': 128})"),
}  # fmt: skip


def declared_params(space: Space, rule: str) -> dict[str, Any] | None:
    """The configuration ``space`` declares for ``rule``, and the middle of every range it
    does not name.

    Raises:
        SpaceError: The space declares none, or a name or value in it does not fit the space.
    """
    attribute, constant, what = DECLARED[rule]
    declared = getattr(space, attribute)
    if not declared:
        raise SpaceError(
            f"space {space.name!r} declares no {constant}, so --start {rule} has nothing to "
            f"start from; declare {what}, or use --start center."
        )
    try:  # the checks ``--enqueue`` files get, said as the space's error
        check_params(space, declared, source=f"space {space.name!r}'s {constant}")
    except EnqueueError as exc:
        raise SpaceError(str(exc)) from None
    return center_params(space, pinned=declared)


def low_cost_params(space: Space) -> dict[str, Any] | None:
    """The space's ``LOW_COST`` values, and the middle of every range it does not name."""
    return declared_params(space, LOW_COST)


def baseline_params(space: Space) -> dict[str, Any] | None:
    """The space's ``BASELINE`` values, and the middle of every range it does not name."""
    return declared_params(space, BASELINE)


#: Each ``start`` rule: the first trial's parameters it gives for a space, and the words the
#: progress line uses for them.
STARTS: dict[str, tuple[Callable[[Space], dict[str, Any] | None], str]] = {
    CENTER: (center_params, "the middle of the space (each range's middle, each list's middle "
             "choice)"),
    LOW_COST: (low_cost_params, "the space's LOW_COST, with each other range's middle"),
    BASELINE: (baseline_params, "the space's BASELINE"),
}  # fmt: skip


def check_start(start: str | None, space: Space) -> None:
    """Refuses an unknown ``start`` rule, or one the space cannot follow, before anything
    runs."""
    if start is None:
        return
    if start not in STARTS:
        raise HpsearchError(f"unknown start {start!r}; known: {', '.join(STARTS)}.")
    if start in DECLARED:
        declared_params(space, start)


def queue_start(study: optuna.Study, space: Space, start: str) -> str | None:
    """Queues ``start``'s configuration as the first trial of ``study``, if it has no trials.

    A resumed study, or one that already holds queued starts, keeps what it has. Processes
    that create the study at once may each queue it; the objective runs the first copy only
    (``refuse_duplicate_start``). Returns what was queued, in words, or ``None``.
    """
    if study.get_trials(deepcopy=False):
        return None
    rule, words = STARTS[start]
    params = rule(space)
    if not params:
        return None
    study.enqueue_trial(params, user_attrs={START_KEY: start}, skip_if_exists=True)
    return words
