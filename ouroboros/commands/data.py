"""`ouro data ...`: benchmark data on request (the demo itself needs none)."""

from pathlib import Path

import typer

from ouroboros.console import console, user_errors
from ouroboros.errors import CliInputError

app = typer.Typer(help="Benchmark data: download it, pinned and checksummed, into data/.", no_args_is_help=True)


def next_commands(questions: list[Path], meta: list[Path]) -> list[str]:
    """What a user runs after the fetch: import the scenes, build the benchmark eval set, run the loop on both."""
    metas = " ".join(map(str, meta))
    return [
        f"ouro scenes import {metas}",
        f"ouro vsibench evalset {questions[0]} " + " ".join(f"--meta {m}" for m in meta),
        f"dvc exp run -S 'scenes.meta=[{','.join(map(str, meta))}]' -S eval.source=vsibench "
        f"-S eval.annotations={questions[0]}",
    ]


@app.command("fetch")
@user_errors
def fetch(
    name: str = typer.Argument(..., help="The benchmark: vsibench."),
    dest: Path = typer.Option(None, "--dest", help="Folder to write into (default data/<name>)."),
    meta_url: str = typer.Option(None, "--meta-url", help="A mirror of the meta-info folder (default: the "
                                                          "authors' GitHub repository at the pinned commit)."),
    force: bool = typer.Option(False, "--force", help="Download the questions again even if the Hugging Face "
                                                      "cache holds them."),
) -> None:
    """Download a benchmark's questions and scene meta-info, verify their sha256, print what to run next.

    The questions come from the Hugging Face Hub (HF_ENDPOINT, HF_HUB_CACHE apply); each file is
    checked against the pinned release before it is renamed into place."""
    from huggingface_hub.utils import logging as hub_logging

    from ouroboros.fetch import RELEASES, fetch_release  # the hub client: only this verb needs it

    hub_logging.set_verbosity_error()  # its "Retrying in 2s" warnings; a failure is our one line
    if name not in RELEASES:
        raise CliInputError(f"no data set named {name!r}; known: {', '.join(sorted(RELEASES))}")
    release = RELEASES[name]
    dest = dest if dest is not None else Path("data") / name
    for path, downloaded in fetch_release(release, dest, meta_url=meta_url, force=force):
        state = "fetched" if downloaded else "in place"
        console.print(f"{state}: {path} (sha256 verified)", markup=False, highlight=False)
    questions = [dest / f.name for f in release.questions]
    console.print("next:", highlight=False)
    for line in next_commands(questions, [dest / f.name for f in release.meta]):
        console.print(f"  {line}", markup=False, highlight=False, soft_wrap=True)
