"""The garbage collection after each trial, kept to what trials made.

Optuna's ``gc_after_trial`` runs a full collection after every trial, which frees that
trial's Keras model and its graphs at once instead of whenever Python's collector next
reaches them. A full collection scans every tracked object, TensorFlow's hundreds of
thousands included: 0.45 s per trial, 5.3 % of a 50-trial ``california`` search in one
process (``benchmarks/results/overhead_split_before.json``). Objects that exist before the
search (imports, data, the caller's own) are frozen out of the collector for its duration,
so each collection scans only what the trials made since: 10.7 s instead of 22.7 s over
those 50 trials (``overhead_split_round3.json``).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


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
