"""``hpsearch report``: a self-contained HTML page with PNGs, for people without a server.

Optuna's own matplotlib plots (history, importances, parallel coordinates, slices,
intermediate values) plus the final report's figures and numbers. A plot that cannot be
drawn (e.g. importances with one complete trial) is left out with the reason shown; the
HTML references only files this command wrote.
"""

from __future__ import annotations

import html
import json
import shutil
import warnings
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import optuna  # noqa: E402
from optuna.visualization import matplotlib as optuna_plots  # noqa: E402

from hpsearch._final import AUDIT_KEY, FINAL_KEY, best_trial, cv_summary  # noqa: E402
from hpsearch._record import read_record  # noqa: E402

PLOTS: dict[str, tuple[str, Callable]] = {
    "history.png": ("Optimization history", optuna_plots.plot_optimization_history),
    "importances.png": ("Hyperparameter importances", optuna_plots.plot_param_importances),
    "parallel.png": ("Parallel coordinates", optuna_plots.plot_parallel_coordinate),
    "slice.png": ("Slice plots", optuna_plots.plot_slice),
    "intermediate.png": ("Intermediate values (step = fold x max_epochs + epoch)",
                         optuna_plots.plot_intermediate_values),
}  # fmt: skip


def _draw(plot: Callable, study: optuna.Study, path: Path) -> str | None:
    """Saves one Optuna plot; returns why it could not be drawn, or None."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            axes = plot(study)
    except (ValueError, RuntimeError, ZeroDivisionError) as exc:
        return str(exc) or exc.__class__.__name__
    figure = np.atleast_1d(axes).flat[0].figure
    figure.set_size_inches(max(figure.get_size_inches()[0], 8), 5)
    figure.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(figure)
    return None


def _summary(study: optuna.Study) -> str:
    record = read_record(study)
    best = best_trial(study)
    cv = cv_summary(best)
    final = study.user_attrs.get(FINAL_KEY)
    test = final["test"] if final else "not evaluated"
    rows = [
        ("space", record.space), ("sampler / pruner", f"{record.sampler} / {record.pruner}"),
        ("settings", record.settings.as_dict()), ("best trial", best.number),
        ("CV mean ± std", f"{cv['mean']:.5g} ± {cv['std']:.3g}"), ("CV folds", cv["folds"]),
        ("test (single evaluation)", test),
        ("test − CV gap", final["cv_test_gap"] if final else "-"),
        ("test evaluations logged", len(study.user_attrs.get(AUDIT_KEY, []))),
        ("best parameters", best.params),
    ]  # fmt: skip
    cells = "".join(f"<tr><th>{k}</th><td>{html.escape(str(v))}</td></tr>" for k, v in rows)
    return f"<table>{cells}</table>"


def _figure(src: str, title: str) -> str:
    caption = html.escape(title)
    return f'<figure><img src="{src}" alt="{caption}"><figcaption>{caption}</figcaption></figure>'


def write_report(study: optuna.Study, out: Path, final_folder: Path | None) -> Path:
    """Writes ``out/index.html`` and the PNGs it shows; returns the HTML path."""
    out.mkdir(parents=True, exist_ok=True)
    parts = [f"<h1>hpsearch report: {html.escape(study.study_name)}</h1>", _summary(study)]
    parts.append("<h2>Search</h2>")
    for name, (title, plot) in PLOTS.items():
        reason = _draw(plot, study, out / name)
        parts.append(_figure(name, title) if reason is None else
                     f"<p><b>{title}</b>: not drawn ({html.escape(reason)})</p>")  # fmt: skip
    parts.append("<h2>Final evaluation</h2>")
    if final_folder is not None and (final_folder / "metrics.json").exists():
        for png in sorted(final_folder.glob("*.png")):
            shutil.copy(png, out / f"final_{png.name}")
            parts.append(_figure(f"final_{png.name}", png.stem.replace("_", " ")))
        metrics = json.loads((final_folder / "metrics.json").read_text())["test"]
        parts.append(f"<pre>{html.escape(json.dumps(metrics, indent=2))}</pre>")
    else:
        parts.append("<p>Not evaluated on the test set yet (hpsearch evaluate).</p>")
    trials = study.trials_dataframe(attrs=("number", "value", "state", "params"))
    parts += ["<h2>Trials</h2>", trials.to_html(index=False, na_rep="")]
    style = "body{font-family:sans-serif;max-width:1100px;margin:auto}img{max-width:100%}"
    page = f"<!doctype html><html><head><meta charset='utf-8'><style>{style}</style></head>"
    index = out / "index.html"
    index.write_text(page + "<body>" + "\n".join(parts) + "</body></html>")
    return index
