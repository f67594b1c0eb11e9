"""The per-trial garbage collection scans only what the last trial made."""

from __future__ import annotations

import gc
import subprocess
import sys
import weakref

import pytest

from hpsearch._heap import collect_after_trial, frozen_heap


class _Node:
    """An object that can be part of a reference cycle."""


def _dropped_cycle() -> weakref.ref:
    node = _Node()
    node.self = node  # only the collector frees a cycle
    return weakref.ref(node)


def test_garbage_from_before_is_collected_not_frozen():
    before = _dropped_cycle()
    with frozen_heap():
        assert before() is None


def _scanned(obj: object) -> bool:
    """Whether the collector's generations hold ``obj`` (frozen objects are outside them)."""
    return any(other is obj for other in gc.get_objects())


def test_the_block_freezes_what_is_alive_and_still_frees_what_it_made():
    kept = _Node()
    with frozen_heap():
        assert not _scanned(kept)
        made = _dropped_cycle()
        gc.collect()
        assert made() is None
    assert _scanned(kept) and gc.get_freeze_count() == 0


def test_after_a_trial_its_garbage_is_freed_and_its_survivors_frozen():
    with frozen_heap():
        garbage, survivor = _dropped_cycle(), _Node()
        survivor.self = survivor
        collect_after_trial(None, None)
        assert garbage() is None
        assert not _scanned(survivor)
        next_trial = _Node()
        assert _scanned(next_trial)
        # A frozen survivor that turns into garbage later is freed once the search ends.
        later = weakref.ref(survivor)
        del survivor
        gc.collect()
        assert later() is not None
    gc.collect()
    assert later() is None and gc.get_freeze_count() == 0


EXIT_PROBE = """
import atexit, gc, sys
from hpsearch.cli import main
atexit.register(lambda: print("frozen at exit:", gc.get_freeze_count() > 0))
sys.argv = ["hpsearch", *sys.argv[1:]]
main()
"""


@pytest.mark.parametrize(("argv", "code"), [(["spaces"], 0), (["optimize", "no_such_space"], 1)])
def test_a_command_leaves_its_objects_out_of_the_collection_at_shutdown(tmp_path, argv, code):
    """Python's last collection at exit would scan TensorFlow's objects (~1 s a command);
    the console script freezes them first, on success and on error alike."""
    ended = subprocess.run([sys.executable, "-c", EXIT_PROBE, *argv], capture_output=True,
                           text=True, cwd=tmp_path)  # fmt: skip
    assert ended.returncode == code, ended.stderr
    assert ended.stdout.strip().endswith("frozen at exit: True")
