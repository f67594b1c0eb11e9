"""What TensorFlow keeps of a finished trial's training graphs, released when the trial ends.

Keras's TensorFlow train step sums the gradients through ``tf.distribute``'s default replica
context, whose ``all_reduce`` is a ``tf.custom_gradient``. Inside a traced function each such
call registers its gradient function under a new name (``CustomGradient-N``) in TensorFlow's
process-wide gradient registry, and nothing ever removes it. That function's closure holds
the traced graph, so every model a process trains keeps its train-step graph alive, with
the optimizer's branches and the eager functions they register. In a loop of 20 Keras models
(round 11's pilot, ``benchmarks/README.md``) RSS reached 1,056 MiB and the eager context held
508 functions; with each model's registrations removed, 855 MiB and 28 functions. Over the
overhead run's 50 trials in one process, RSS growth fell from 45 % to 7 % (round 11).

A registration is looked up only while its graph is differentiated, which for a train step
happens while ``fit`` traces it. So the names a trial registered are dropped when the trial
ends. Only search trials are wrapped: the final fit's model is the user's to keep training.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

_PREFIX = "CustomGradient-"  # tensorflow/python/ops/custom_gradient.py, generate_name


def _registry() -> dict | None:
    """TensorFlow's gradient registry, if TensorFlow is imported (never imported here)."""
    ops = sys.modules.get("tensorflow.python.framework.ops")
    registry = getattr(getattr(ops, "_gradient_registry", None), "_registry", None)
    return registry if isinstance(registry, dict) else None


@contextlib.contextmanager
def released_custom_gradients() -> Iterator[None]:
    """Removes the custom-gradient registrations made inside the block when it ends."""
    registry = _registry()
    before = set(registry) if registry is not None else set()
    try:
        yield
    finally:
        registry = _registry()
        for name in set(registry or ()) - before:
            if name.startswith(_PREFIX):
                registry.pop(name, None)
