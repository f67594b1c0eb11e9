"""Errors by consequence, after KerasTuner's ``errors.py``.

A :class:`TrialError` fails one trial (:class:`OverBudget` prunes it, as infeasible) and
the study goes on; every other :class:`HpsearchError` stops the command with one clear line.
"""

from __future__ import annotations


class HpsearchError(Exception):
    """A user-facing error: the CLI prints its message on one line and exits non-zero."""


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


class OverBudget(TrialError):
    """The model has more parameters than ``--max-params`` allows; it is never trained.

    The objective prunes such a trial as infeasible rather than failing it (see
    ``Objective.__call__``), so the sampler learns to leave oversized regions.
    """

    def __init__(self, n_params: int, max_params: int) -> None:
        super().__init__(f"model has {n_params:,} parameters, over the budget of {max_params:,}.")
        self.n_params, self.max_params = n_params, max_params
