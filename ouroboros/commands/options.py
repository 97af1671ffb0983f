"""Options several verb groups share."""

import typer

LAKE_OPTION = typer.Option(
    "lake", "--lake", help="The lake: a directory, s3://bucket/prefix (AWS_* env), or a folder of DVC manifests.")

TABLE_OPTION = typer.Option(
    "qa", "--table", help="qa (the questions) or rollouts (the answers GRPO rounds sampled to them, each with its "
    "question's columns).")
