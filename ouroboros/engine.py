"""Start the curation engine a stage runs on (params curation.engine) before any of its work."""

from ouroboros.params import CurationParams


def start_engine(c: CurationParams) -> None:
    """`local`: nothing to start. `ray`: join RAY_ADDRESS's cluster or start a local instance now,
    so an address where nothing answers stops the stage with one line before any work."""
    if c.engine == "ray":
        from ouroboros.on_ray.cluster import connect

        connect()
