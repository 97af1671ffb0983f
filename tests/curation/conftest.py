from pathlib import Path

import pytest

from curation.scenes import Scene, load_vsibench_meta

META = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "vsibench_meta"


@pytest.fixture(scope="session")
def real_scenes() -> dict[str, Scene]:
    """Two ScanNet and two ScanNet++ scenes of the reference metadata, by name."""
    files = {"scannet": META / "scannet_meta_info_val.json", "scannetpp": META / "scannetpp_meta_info_val.json"}
    if not all(f.is_file() for f in files.values()):
        pytest.skip(f"reference data not found at {META}")
    return {s.name: s for f in files.values() for s in load_vsibench_meta(f)[:2]}
