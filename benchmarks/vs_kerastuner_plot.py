"""The vs-KerasTuner plots: each round's anytime test curves, median and range over seeds.

``vs_kerastuner_summary.summarize`` calls :func:`plot_all` with every round's rows; the plots
go to ``results/`` beside ``vs_kerastuner.json``, and the READMEs link them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.versus import at_checkpoints
from benchmarks.vs_kerastuner_rounds import (
    INTERLEAVED_TOOLS,
    RESULTS,
    ROUND10_TOOLS,
    ROUNDS,
    TASKS,
    TOOLS,
)


def plot_all(rows, interleaved, center, rounds: dict[str, Any]) -> None:
    """The first round's plot, and one per later round that has rows."""
    plot(rows, RESULTS / "vs_kerastuner.png")
    if interleaved:
        plot(interleaved, RESULTS / "vs_kerastuner_interleaved.png", INTERLEAVED_TOOLS)
    if center:
        plot(center, RESULTS / "vs_kerastuner_round10.png", ROUND10_TOOLS)
    for name, round_rows in rounds.items():
        if round_rows:
            chosen = ROUNDS[name]
            plot(round_rows, RESULTS / f"vs_kerastuner_{name}.png", chosen.tools,
                 chosen.tasks)  # fmt: skip


def plot(rows, path: Path, tools: tuple[str, ...] = TOOLS,
         tasks: tuple[str, ...] = tuple(TASKS)) -> None:  # fmt: skip
    """Test score vs wall time per task: one line per tool (median over seeds), its range."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, len(tasks), figsize=(6 * len(tasks), 4.2))
    for axis, task in zip(np.atleast_1d(axes), tasks, strict=True):
        medians = [TASKS[task].target]
        for tool in tools:
            spreads = at_checkpoints(rows.get((tool, task), [])).items()
            points = [(float(c), s) for c, s in spreads if s["median"] is not None]
            if not points:
                continue
            xs = [c for c, _ in points]
            medians += [s["median"] for _, s in points if s["median"] is not None]
            axis.plot(xs, [s["median"] for _, s in points], marker="o", label=tool)
            axis.fill_between(xs, [s["min"] for _, s in points], [s["max"] for _, s in points],
                              alpha=0.15)  # fmt: skip
        metric = next(iter(rows.get(("hpsearch", task), [{}])), {}).get("metric", "score")
        axis.axhline(TASKS[task].target, color="grey", linestyle=":", label="target")
        axis.set(title=f"{task} ({TASKS[task].train_rows} training rows)",
                 xlabel="wall seconds of search",
                 ylabel=f"test {metric} of best so far")  # fmt: skip
        # The medians' range, padded: one seed's untrained first trial would flatten the rest.
        low, high = min(medians), max(medians)
        axis.set_ylim(low - 0.3 * (high - low), high + 0.3 * (high - low))
        axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    print(f"wrote {path}")
