"""What defines a study's objective: folds, epochs, budgets. Recorded in the study.

Kept apart from the objective so that reading a study's record needs no TensorFlow.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from hpsearch._errors import HpsearchError


@dataclass(frozen=True)
class SearchSettings:
    """What defines the objective; recorded in the study so that a resume is identical.

    Attributes:
        folds: Number of CV folds (stratified for classification).
        max_epochs: Epoch cap per fold; also the step stride of pruning reports.
        patience: Early-stopping patience in epochs, within a fold.
        subsample: Fraction of the training set the search uses (a cheap fidelity);
            the final fit always uses all of it.
        seed: Seeds folds, sampler and trials; ``None`` draws fresh seeds, recorded per trial.
        max_params: Parameter budget; bigger models are pruned untrained, as infeasible.
        max_trial_seconds: Time budget per trial; a trial still training after it is
            stopped and pruned, as infeasible.
        fold_halving: Successive halving over folds: after each fold but the last, a trial
            outside the top ``1 / fold_halving`` of the trials that completed as many folds
            is pruned (:mod:`hpsearch._fold_halving`); 1 runs every trial's folds.
    """

    folds: int = 3
    max_epochs: int = 20
    patience: int = 3
    subsample: float = 1.0
    seed: int | None = None
    max_params: int | None = None
    max_trial_seconds: float | None = None
    fold_halving: int = 1

    def __post_init__(self) -> None:
        if self.folds < 2:
            raise HpsearchError(f"folds must be at least 2, but got folds={self.folds}.")
        if self.max_epochs < 1:
            raise HpsearchError(f"max_epochs must be at least 1, but got {self.max_epochs}.")
        if self.patience < 1:
            raise HpsearchError(f"patience must be at least 1, but got {self.patience}.")
        if self.fold_halving < 1:
            raise HpsearchError(f"fold_halving must be at least 1, but got {self.fold_halving}.")
        if not 0.0 < self.subsample <= 1.0:
            raise HpsearchError(f"subsample must be in (0, 1], but got {self.subsample}.")
        if self.max_trial_seconds is not None and self.max_trial_seconds <= 0:
            raise HpsearchError(
                f"max_trial_seconds must be positive, but got {self.max_trial_seconds}."
            )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
