"""Fixtures of the curation tests: hand-made scenes, the real reference scenes, one executor."""

import pytest

from curation.scenes.metadata import Scene, load_vsibench_meta
from tests.conftest import shared_file
from tests.curation.builders import make_box, make_scene


@pytest.fixture
def toy_scene() -> Scene:
    """A 5 m x 4 m room: single sofa, table, tv, lamp, bed, desk; two chairs; axis-aligned and rotated boxes."""
    boxes = [
        make_box("sofa", (0.0, 0.0, 0.4), (2.0, 0.9, 0.8)),
        make_box("table", (0.0, 1.62, 0.375), (1.2, 0.6, 0.75)),
        make_box("tv", (0.0, 3.5, 1.0), (1.1, 0.1, 0.65)),
        make_box("lamp", (2.0, 0.2, 0.8), (0.3, 0.3, 1.6), yaw_deg=30.0),
        make_box("bed", (-2.5, -1.5, 0.3), (2.0, 1.6, 0.6), yaw_deg=90.0),
        make_box("desk", (2.2, 2.8, 0.375), (1.4, 0.7, 0.75), yaw_deg=15.0),
        make_box("chair", (1.0, 1.0, 0.45), (0.5, 0.5, 0.9), instance=0),
        make_box("chair", (-1.0, 1.0, 0.45), (0.5, 0.5, 0.9), yaw_deg=45.0, instance=1),
    ]
    return make_scene("proc-toy", boxes, room_size=23.46)


@pytest.fixture(scope="session")
def real_scenes() -> list[Scene]:
    """All 88 ScanNet validation scenes of the reference metadata."""
    return load_vsibench_meta(shared_file("vsibench_meta", "scannet_meta_info_val.json"))


@pytest.fixture(scope="session")
def mixed_real_scenes() -> dict[str, Scene]:
    """Two ScanNet and two ScanNet++ scenes of the reference metadata, by name."""
    files = [shared_file("vsibench_meta", f"{s}_meta_info_val.json") for s in ("scannet", "scannetpp")]
    return {s.name: s for f in files for s in load_vsibench_meta(f)[:2]}


@pytest.fixture(scope="session")
def executor():
    from curation.executor import Executor

    with Executor(workers=2, timeout_s=5.0) as ex:
        yield ex
