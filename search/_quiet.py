"""TensorFlow's start-up lines, kept out of hpsearch's output unless ``--debug``.

Importing TensorFlow prints several native log lines per process (``All log messages before
absl::InitializeLog()``, ``oneDNN custom operations are on``, ``Could not find cuda
drivers``), and again in every worker. ``TF_CPP_MIN_LOG_LEVEL=3`` silences TensorFlow's own
logging after start-up but not these, which its C++ code writes to file descriptor 2 while
the library loads; so the first import runs with that descriptor pointed at /dev/null.
Python errors still propagate: only native output of the import itself is dropped.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import warnings

#: Set by ``hpsearch --debug``; inherited by worker processes, which then keep the noise.
DEBUG_ENV = "HPSEARCH_DEBUG"


@contextlib.contextmanager
def _stderr_to_devnull():
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def import_keras_quietly() -> None:
    """Imports Keras (and its TensorFlow backend) without the native start-up lines."""
    if os.environ.get(DEBUG_ENV) or "keras" in sys.modules:
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # TensorFlow's logging after start-up
    with _stderr_to_devnull():
        import keras  # noqa: F401 - imported here for its side effect: the backend loads


def quiet_logs() -> None:
    """The log levels and warning filters of every hpsearch process, parent or worker.

    Optuna's per-trial log lines are replaced by hpsearch's own progress lines; TensorFlow's
    retracing notes (a new model per trial retraces by design) and scikit-learn's note that
    ``QuantileTransformer`` lowered ``n_quantiles`` to a small fold's rows are noise here.
    """
    import optuna

    optuna.logging.set_verbosity(logging.ERROR)
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    warnings.filterwarnings("ignore", "n_quantiles .* is greater than", UserWarning)
