"""Run one space's full search with a stated budget; write benchmarks/results/<space>.json.

The result is the ``hpsearch export`` JSON of the run plus ``budget``, ``wall_seconds``,
``machine`` and the command, so ``hpsearch train --config benchmarks/results/<space>.json
--evaluate`` reproduces its test figure.

Usage: python benchmarks/run_space.py SPACE [--label NAME] [--processes N] [optimize options...]
Example: python benchmarks/run_space.py california --trials 40 --seed 0

``--label gpu`` keeps a second machine's runs apart: storage ``studies_gpu.db`` and result
``results/gpu/<space>.json``. ``--processes N`` runs N searches on the one study at once (a
GPU is idle most of a small model's step, so several processes share it), then one final fit.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import optuna

HERE = Path(__file__).resolve().parent


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return f"{platform.node()}: {os.cpu_count()} cores, {cpu}, {platform.platform()}"


def accelerator() -> str:
    """The GPU the run could use, as nvidia-smi names it, or "none"."""
    if shutil.which("nvidia-smi") is None:
        return "none"
    query = ["nvidia-smi", "--query-gpu=name,driver_version", "--format=csv,noheader"]
    return subprocess.run(query, capture_output=True, text=True).stdout.strip() or "none"


def take_option(options: list[str], name: str, default: str | None) -> str | None:
    """Remove ``name VALUE`` from ``options`` (this script's own options) and return VALUE."""
    if name not in options:
        return default
    at = options.index(name)
    value = options[at + 1]
    del options[at : at + 2]
    return value


def span_seconds(study: str, storage: str) -> float:
    """Seconds from the study's first trial to now: the wall time of every invocation
    together when a run was interrupted and resumed (``wall_seconds`` is the last one's)."""
    trials = optuna.load_study(study_name=study, storage=storage).get_trials(deepcopy=False)
    first = min(t.datetime_start for t in trials if t.datetime_start)
    return time.time() - first.timestamp()


def search(hpsearch: str, space: str, options: list[str], processes: int) -> None:
    """Run ``processes`` copies of the search on one study and wait for all of them."""
    command = [hpsearch, "optimize", space, *options, "--no-final"]
    searches = [subprocess.Popen(command) for _ in range(processes)]
    # `kill` reaches only this process; pass it on so the searches stop cleanly (resumable)
    # instead of running on as orphans. Ctrl-C already reaches the whole process group.
    signal.signal(signal.SIGTERM, lambda signum, frame: [s.send_signal(signum) for s in searches])
    codes = [s.wait() for s in searches]
    if any(codes):  # hpsearch has printed why; the study keeps its finished trials
        sys.exit(f"hpsearch optimize exited with {codes}; rerun the same command to resume.")


def main(space: str, options: list[str]) -> None:
    command_line = f"python benchmarks/run_space.py {space} {' '.join(options)}"
    label = take_option(options, "--label", None)
    processes = int(take_option(options, "--processes", "1"))
    suffix = f"_{label}" if label else ""
    storage = f"sqlite:///{HERE / f'studies{suffix}.db'}"
    # A study is test-evaluated once, so a rerun with a new budget names a new study.
    study = take_option(options, "--study-name", f"bench_{space}")
    final = "--no-final" not in options
    options = [o for o in options if o != "--no-final"]
    where = ["--storage", storage, "--output-dir", str(HERE / "studies")]
    hpsearch = str(Path(sys.executable).with_name("hpsearch"))
    started = time.time()
    search(hpsearch, space, [*options, *where, "--study-name", study], processes)
    if final:
        subprocess.run([hpsearch, "evaluate", study, *where], check=True)
    wall = time.time() - started
    exported = subprocess.run(
        [hpsearch, "export", study, "--storage", storage], check=True, capture_output=True,
        text=True,
    ).stdout  # fmt: skip
    result = json.loads(exported) | {
        "budget": " ".join(options),
        "processes": processes,
        "wall_seconds": round(wall, 1),
        "span_seconds": round(span_seconds(study, storage), 1),
        "machine": machine(),
        "accelerator": accelerator(),
        # Set when searches shared the cores: TensorFlow's threads for this run.
        "tf_intra_op_threads": os.environ.get("TF_NUM_INTRAOP_THREADS", "default (all cores)"),
        "command": command_line,
    }
    out = HERE / "results" / (label or "") / f"{space}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
