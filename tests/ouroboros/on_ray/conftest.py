"""One local Ray instance for the whole session: 2 CPUs, 127.0.0.1 only, a small object store."""

import pytest

from tests.conftest import ROOT

OBJECT_STORE_BYTES = 200 * 1024**2  # the tests move a few MB; Ray's default would take 30% of the RAM


@pytest.fixture(scope="session")
def local_ray():
    ray = pytest.importorskip("ray", reason="Ray is not installed (pip install -e '.[ray]')")
    ray.init(num_cpus=2, include_dashboard=False, object_store_memory=OBJECT_STORE_BYTES,
             _node_ip_address="127.0.0.1", log_to_driver=False,
             runtime_env={"env_vars": {"PYTHONPATH": str(ROOT)}})  # workers import the project and tests
    yield ray
    ray.shutdown()

