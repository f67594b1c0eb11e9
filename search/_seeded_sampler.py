"""A sampler seeded per trial, so processes sharing a study do not repeat each other.

Seeding each worker's sampler once (``--seed`` plus the trials the study held when the
worker started) made two workers that started between the same two trials draw the same
random stream: in ``bench_fashion_cnn_v5``, run by two processes, trials 5 and 6 had
identical parameters. Trial numbers are unique across every process and machine sharing a
storage, so a sampler re-made for each trial with a seed drawn from ``--seed`` and its
number draws its own stream, and the same study history gives the same proposal wherever it
runs.

That seed is hashed from the pair, not ``--seed + number``: with the sum, ``--seed 1``'s
trial *n* was ``--seed 0``'s trial *n + 1*, so the random start-up trials of neighbouring
seeds were one stream shifted by one (round 19's three ``fashion_mlp`` searches shared 4-5
of their finished trials' parameters, pair by pair).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import optuna
from optuna.distributions import BaseDistribution
from optuna.trial import FrozenTrial, TrialState


def trial_seed(seed: int | None, number: int) -> int:
    """A seed for trial ``number`` of a study seeded with ``seed``, below 2**31; a fresh
    random one for an unseeded study.

    Distinct pairs give unrelated seeds (NumPy's ``SeedSequence`` hashes them), so no two
    studies with different seeds share a trial's random stream, as they did with a sum.
    """
    entropy = None if seed is None else [seed, number]
    return int(np.random.SeedSequence(entropy).generate_state(1)[0] % 2**31)


class TrialSeededSampler(optuna.samplers.BaseSampler):
    """Delegates every call to ``make(trial_seed(seed, trial.number))``, made in
    ``before_trial``.

    The samplers wrapped here keep what they learn in the study (history, CMA-ES state,
    grid ids), not in the instance, so a fresh instance per trial loses nothing.

    Args:
        make: Builds the wrapped sampler from a seed.
        seed: The study's ``--seed``.
    """

    def __init__(self, make: Callable[[int], optuna.samplers.BaseSampler], *, seed: int) -> None:
        self._make, self._seed = make, seed
        self._sampler = make(seed)

    def before_trial(self, study: optuna.Study, trial: FrozenTrial) -> None:
        self._sampler = self._make(trial_seed(self._seed, trial.number))
        self._sampler.before_trial(study, trial)

    def infer_relative_search_space(
        self, study: optuna.Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        return self._sampler.infer_relative_search_space(study, trial)

    def sample_relative(
        self, study: optuna.Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        return self._sampler.sample_relative(study, trial, search_space)

    def sample_independent(
        self,
        study: optuna.Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        return self._sampler.sample_independent(study, trial, param_name, param_distribution)

    def after_trial(
        self,
        study: optuna.Study,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        self._sampler.after_trial(study, trial, state, values)

    def reseed_rng(self) -> None:
        self._sampler.reseed_rng()
