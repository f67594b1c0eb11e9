"""Run one space's full search with a stated budget; write benchmarks/results/<space>.json.

The result is the ``hpsearch export`` JSON of the run plus ``budget``, ``wall_seconds``,
``machine`` and ``command``, so ``hpsearch train --config benchmarks/results/<space>.json
--evaluate`` reproduces its test figure.

Usage: python benchmarks/run_space.py SPACE [hpsearch optimize options...]
Example: python benchmarks/run_space.py california --trials 40 --seed 0
"""

from __future__ import annotations

import json
import os
import platform
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


def span_seconds(study: str, storage: str) -> float:
    """Seconds from the study's first trial to now: the wall time of every invocation
    together when a run was interrupted and resumed (``wall_seconds`` is the last one's)."""
    trials = optuna.load_study(study_name=study, storage=storage).get_trials(deepcopy=False)
    first = min(t.datetime_start for t in trials if t.datetime_start)
    return time.time() - first.timestamp()


def main(space: str, options: list[str]) -> None:
    storage = f"sqlite:///{HERE / 'studies.db'}"
    # A study is test-evaluated once, so a rerun with a new budget names a new study.
    named = "--study-name" in options
    study = options[options.index("--study-name") + 1] if named else f"bench_{space}"
    hpsearch = str(Path(sys.executable).with_name("hpsearch"))
    command = [hpsearch, "optimize", space, "--storage", storage,
               "--output-dir", str(HERE / "studies"), *options]  # fmt: skip
    if not named:
        command += ["--study-name", study]
    started = time.time()
    search = subprocess.Popen(command)
    # `kill` reaches only this process; pass it on so the search stops cleanly (resumable)
    # instead of running on as an orphan. Ctrl-C already reaches the whole process group.
    signal.signal(signal.SIGTERM, lambda signum, frame: search.send_signal(signum))
    code = search.wait()
    if code != 0:  # hpsearch has printed why; the study keeps its finished trials
        sys.exit(f"hpsearch optimize exited with {code}; rerun the same command to resume.")
    wall = time.time() - started
    exported = subprocess.run(
        [hpsearch, "export", study, "--storage", storage], check=True, capture_output=True,
        text=True,
    ).stdout  # fmt: skip
    result = json.loads(exported) | {
        "budget": " ".join(options),
        "wall_seconds": round(wall, 1),
        "span_seconds": round(span_seconds(study, storage), 1),
        "machine": machine(),
        # Set when searches shared the cores: TensorFlow's threads for this run.
        "tf_intra_op_threads": os.environ.get("TF_NUM_INTRAOP_THREADS", "default (all cores)"),
        "command": f"python benchmarks/run_space.py {space} {' '.join(options)}",
    }
    out = HERE / "results" / f"{space}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
