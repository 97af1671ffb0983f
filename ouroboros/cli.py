"""`ouro`: the command line. Each verb group lives in ouroboros/commands/<name>.py."""

import os

import typer

os.environ.setdefault("DVC_NO_ANALYTICS", "1")
# transformers' own tqdm bars ("Loading weights", "Writing model shards") would interleave
# with ours; rich progress bars already cover the long steps.
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

from ouroboros.commands import (  # noqa: E402
    ablate,
    data,
    demo,
    diff,
    export,
    frames,
    lake,
    pipeline,
    scenes,
    similar,
    slice,
    status,
    vsibench,
)
from ouroboros.commands import app as app_command  # noqa: E402  (`app` names the Typer app below)

app = typer.Typer(
    help="Ouroboros-Spatial: self-evolving spatial QA data in a versioned LanceDB lake.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(scenes.app, name="scenes")
app.add_typer(frames.app, name="frames")
app.add_typer(vsibench.app, name="vsibench")
app.add_typer(lake.app, name="lake")
app.add_typer(data.app, name="data")
app.command("status")(status.status)
app.command("slice")(slice.slice_)
app.command("diff")(diff.diff_)
app.command("similar")(similar.similar)
app.command("evalset")(pipeline.evalset)
app.command("vision")(pipeline.vision)
app.command("embed")(pipeline.embed)
app.command("warm-start")(pipeline.warm_start)
app.command("round")(pipeline.round_)
app.command("report")(pipeline.report)
app.command("demo")(demo.demo)
app.command("export")(export.export_)
app.command("ablate")(ablate.ablate_)
app.command("app")(app_command.app_)

if __name__ == "__main__":  # `accelerate launch -m ouroboros.cli round N --prev M`, `torchrun -m ...`
    app()
