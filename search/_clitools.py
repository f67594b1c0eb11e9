"""What every ``hpsearch`` verb shares: its common options, and the group class that turns
library errors into one line and a non-zero exit (the verbs: ``cli.py``, ``_cli_browse.py``)."""

from __future__ import annotations

import click

from hpsearch._errors import HpsearchError, one_line
from hpsearch._storage import DEFAULT_STORAGE

storage_option = click.option(
    "--storage", default=DEFAULT_STORAGE, show_default=True, help="Optuna storage URL."
)
data_dir_option = click.option(
    "--data-dir", type=click.Path(file_okay=False), envvar="HPSEARCH_DATA_DIR",
    help="Folder of local data copies (laid out like shared/data); env HPSEARCH_DATA_DIR.",
)  # fmt: skip
output_option = click.option(
    "--output-dir", type=click.Path(file_okay=False), default="studies", show_default=True,
    help="Where <study>/final/ is written.",
)  # fmt: skip


def gpu_ids(ctx, param, value: str | None) -> tuple[str, ...]:
    """``0,1,3`` or ``all`` (every GPU ``nvidia-smi`` lists) -> device ids."""
    if value is None:
        return ()
    if value == "all":
        import subprocess

        try:
            listed = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True).stdout
        except FileNotFoundError:
            raise click.BadParameter("'all' needs nvidia-smi, which is not here.") from None
        value = ",".join(str(i) for i, _ in enumerate(listed.splitlines()))
    ids = tuple(part.strip() for part in value.split(",") if part.strip())
    if not ids or not all(i.isdigit() for i in ids):
        raise click.BadParameter(f"expected GPU ids like 0,1,2 or 'all', but got {value!r}.")
    return ids


def workers_options(command):
    """--workers, --gpus and --workers-per-gpu, shared by optimize and worker."""
    options = (
        click.option(
            "--workers", type=click.IntRange(min=1), default=1, show_default=True,
            help="Worker processes at once on this study; the cores are split between them.",
        ),
        click.option("--gpus", callback=gpu_ids, help="One worker per GPU: ids (0,1,2) or all."),
        click.option(
            "--workers-per-gpu", type=click.IntRange(min=1), default=1, show_default=True,
            help="Workers sharing each GPU (small models leave a GPU idle).",
        ),
    )  # fmt: skip
    for option in reversed(options):
        command = option(command)
    return command


class OneLineErrors(click.Group):
    """Turns library errors into one-line messages and Ctrl-C into exit code 130."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except HpsearchError as exc:
            if ctx.meta.get("hpsearch.debug"):
                raise
            raise click.ClickException(str(exc)) from None
        except KeyboardInterrupt:
            click.echo("interrupted: finished trials are kept; rerun to resume.", err=True)
            ctx.exit(130)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:  # noqa: BLE001 - last resort: never a traceback without --debug
            if ctx.meta.get("hpsearch.debug"):
                raise
            raise click.ClickException(one_line(exc)) from None
