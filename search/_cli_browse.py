"""The ``hpsearch`` verbs that look at spaces and studies without training anything:
``spaces``, ``studies``, ``show``, ``report`` and ``dashboard``. ``cli.py`` adds them to its
group."""

from __future__ import annotations

from pathlib import Path

import click

from hpsearch._clitools import output_option, storage_option
from hpsearch._storage import DEFAULT_ARTIFACT_DIR, redact


@click.command()
def spaces():
    """List the built-in search spaces."""
    from hpsearch._space import describe_builtin
    from hpsearch.spaces import BUILTIN

    for name in sorted(BUILTIN):
        about = describe_builtin(name)
        click.echo(f"{name:<18} {about['task']:<11} {about['metric']:<9} {about['summary']}")


@click.command()
@storage_option
def studies(storage):
    """List the studies in a storage."""
    import optuna

    from hpsearch._storage import open_storage

    summaries = optuna.get_all_study_summaries(open_storage(storage))
    if not summaries:
        click.echo(f"no studies in {redact(storage)}")
    for summary in summaries:
        best = "-" if summary.best_trial is None else f"{summary.best_trial.value:.5g}"
        click.echo(f"{summary.study_name:<24} trials={summary.n_trials:<5} best={best}")


@click.command()
@click.argument("study_name")
@click.option("--top", type=click.IntRange(min=1), help="Only the N best trials.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="csv/json: the trials table for analysis elsewhere.",
)
@storage_option
def show(study_name, top, fmt, storage):
    """Print the trials of STUDY_NAME, best first."""
    from hpsearch._study import load_study, trials_frame

    top = top or (10 if fmt == "table" else None)
    frame = trials_frame(load_study(study_name, storage), top=top)
    if fmt == "csv":
        click.echo(frame.to_csv(index=False), nl=False)
    elif fmt == "json":
        click.echo(frame.to_json(orient="records", indent=2))
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"{study_name}: best trials")
        for column in frame.columns:
            table.add_column(str(column), no_wrap=True, min_width=len(str(column)))
        for row in frame.itertuples(index=False):
            table.add_row(*("" if v != v else f"{v:.5g}" if isinstance(v, float) else str(v)
                            for v in row))  # fmt: skip
        Console(width=100_000).print(table)  # wide tables scroll rather than truncate


@click.command()
@click.argument("study_name")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False),
              help="Folder for index.html and its PNGs.")  # fmt: skip
@storage_option
@output_option
def report(study_name, output, storage, output_dir):
    """Write a self-contained HTML report of STUDY_NAME (no server needed)."""
    from hpsearch._report import write_report
    from hpsearch._study import load_study

    final = Path(output_dir) / study_name / "final"
    index = write_report(load_study(study_name, storage), Path(output), final)
    click.echo(f"wrote {index}")


@click.command()
@storage_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Interface to bind; anything but loopback exposes the studies.",
)
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True)
@click.option(
    "--artifact-dir",
    type=click.Path(file_okay=False),
    default=DEFAULT_ARTIFACT_DIR,
    show_default=True,
    help="Artifact store the final reports were uploaded to.",
)
def dashboard(storage, host, port, artifact_dir):
    """Serve optuna-dashboard on the storage, final reports included."""
    from optuna_dashboard import run_server

    from hpsearch._storage import artifact_store, open_storage

    click.echo(f"optuna-dashboard on http://{host}:{port} for {redact(storage)}")
    run_server(
        open_storage(storage), host=host, port=port, artifact_store=artifact_store(artifact_dir)
    )


#: The verbs above; ``cli.py`` adds each to the ``hpsearch`` group.
BROWSING = (spaces, studies, show, report, dashboard)
