"""The garbage collection after each trial, kept to what the last trial made.

A full collection after every trial (Optuna's ``gc_after_trial``, which
:func:`collect_after_trial` replaces) frees that trial's Keras model and its graphs at once
instead of whenever Python's collector next reaches them. A full collection scans every
tracked object, TensorFlow's hundreds of thousands included: 0.45 s per trial, 5.3 % of a
50-trial ``california`` search in one process
(``benchmarks/results/overhead_split_before.json``).

So the objects alive when the search starts (imports, data, the caller's own) are frozen
out of the collector for its duration, and after each trial's collection what survived it
is frozen too: each collection then scans only what the last trial made. Freezing only the
start left the cost growing by ~0.01 s per trial (what trials keep: Keras and TensorFlow
caches), 10.7 s over those 50 trials (``overhead_split_round3.json``); re-freezing keeps it
at ~0.01 s (``benchmarks/README.md``, round 4).

A command line ends with :func:`skip_collection_at_exit`, for the collection that Python
itself runs over every object as it shuts down.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

from optuna import Study
from optuna.trial import FrozenTrial


@contextlib.contextmanager
def frozen_heap() -> Iterator[None]:
    """Freezes the objects alive now out of every collection until the block ends.

    Garbage already there is collected first, so nothing collectable is frozen; what the
    block's objects leave unreachable afterwards is collected as usual once unfrozen.
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def collect_after_trial(study: Study, trial: FrozenTrial) -> None:
    """Optuna callback, run first after each trial: frees the trial's garbage, then freezes
    what survived, so the next trial's collections skip it.

    Inside :func:`frozen_heap` only, which unfreezes everything when the search ends: a
    survivor that becomes cyclic garbage later is freed then, not lost.
    """
    gc.collect()
    gc.freeze()


def skip_collection_at_exit() -> None:
    """Leaves every object alive now out of the full collection Python runs at shutdown.

    With TensorFlow loaded that collection takes over a second (``python -c "import keras"``
    exits 1.05-1.12 s after its last line, 0.10-0.13 s with this; ``hpsearch optimize``
    1.3 s, ``benchmarks/README.md`` round 18), once per command. Nothing is
    lost by skipping it: the process has closed its storage and files by then (``cli.py``),
    and its memory goes back to the system whole. ``atexit`` handlers still run.
    """
    gc.freeze()
