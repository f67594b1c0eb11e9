"""Errors by consequence, after KerasTuner's ``errors.py``.

A :class:`TrialError` fails one trial and the study goes on; every other
:class:`HpsearchError` stops the command with one clear line.
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
