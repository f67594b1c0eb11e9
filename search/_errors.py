"""Errors by consequence, after KerasTuner's ``errors.py``.

A :class:`TrialError` fails one trial (an :class:`Infeasible` one is pruned instead) and
the study goes on; every other :class:`HpsearchError` stops the command with one clear line.
"""

from __future__ import annotations


class HpsearchError(Exception):
    """A user-facing error: the CLI prints its message on one line and exits non-zero."""


def one_line(exc: BaseException) -> str:
    """What the user reads for ``exc``: an HpsearchError's message, else its class and first
    line with a pointer to ``--debug`` (the same words in process and from a worker)."""
    if isinstance(exc, HpsearchError):
        return str(exc)
    message = str(exc).splitlines()[0] if str(exc) else ""
    return f"{exc.__class__.__name__}: {message} (rerun with --debug for the traceback)"


class DataError(HpsearchError):
    """A data set is missing, corrupt or of the wrong shape."""


class SpaceError(HpsearchError):
    """A search-space module is unknown or does not define what a space must."""


class StudyError(HpsearchError):
    """A study is missing, or cannot be resumed with the given settings."""


class TestSetSealedError(HpsearchError):
    """The test split was asked for outside the single final evaluation."""

    __test__ = False  # not a pytest test class, despite the name


class TrialError(Exception):
    """A trial-level failure: the trial is marked FAIL and the study goes on."""


class TrialDiverged(TrialError):
    """Training produced a NaN or infinite loss."""


class Infeasible(TrialError):
    """The trial breaks a budget the user set; it is pruned with a violated constraint.

    TPE ignores FAIL trials, so it went on sampling the same oversized region: after the 10
    random start-up trials of ``bench_fashion_mlp_full``, 14 of 23 proposals were over the
    parameter budget. A pruned trial with a positive constraint ranks below every feasible
    one, the further over the worse (see ``Objective._infeasible``).

    Attributes:
        constraint: The constraint's name, as the study records it.
        violation: How far over the budget, as a fraction of it (> 0).
        attrs: Measurements recorded on the trial as user attributes.
    """

    constraint: str  # set by each subclass

    def __init__(self, message: str, *, violation: float, attrs: dict) -> None:
        super().__init__(message)
        self.violation, self.attrs = violation, attrs


class OverBudget(Infeasible):
    """The model has more parameters than ``--max-params`` allows; it is never trained."""

    constraint = "max_params"

    def __init__(self, n_params: int, max_params: int) -> None:
        super().__init__(
            f"model has {n_params:,} parameters, over the budget of {max_params:,}.",
            violation=n_params / max_params - 1, attrs={"n_params": n_params},
        )  # fmt: skip


class OverTime(Infeasible):
    """The trial ran past ``--max-trial-seconds``; it is stopped where it is.

    The violation uses the projected time of the whole trial (every fold to the epoch
    cap), so a model ten times too slow ranks below one just over the limit.
    """

    constraint = "max_trial_seconds"

    def __init__(self, elapsed: float, projected: float, limit: float) -> None:
        super().__init__(
            f"stopped after {elapsed:.0f} s, over the limit of {limit:g} s per trial; "
            f"all folds would take up to {projected:.0f} s.",
            violation=projected / limit - 1, attrs={"projected_seconds": round(projected, 1)},
        )  # fmt: skip
