"""The data stages reproduce bit for bit under other CPU kernels (docs/reproducibility.md).

Stages `scenes` and `eval_set` run in two subprocesses at once: one with the kernels this
CPU picks, one with the most generic ones (OpenBLAS's Prescott kernels, numpy without its
AVX2/AVX-512 loops, torch's default ATen kernels). Their content fingerprints must be
equal. Each subprocess reports the kernels it ran with, so a setting that is silently
ignored fails the test instead of making it pass for nothing.
"""

import json
import os
import subprocess
import sys

import pytest
import yaml

from tests.conftest import ROOT
from tests.ouroboros.pipeline_fixtures import TINY

pytestmark = pytest.mark.slow

GENERIC_KERNELS = {
    "OPENBLAS_CORETYPE": "Prescott",
    "NPY_DISABLE_CPU_FEATURES": "X86_V3,X86_V4,AVX512_ICL,AVX512_SPR",
    "ATEN_CPU_CAPABILITY": "default",
}

STAGES = """
import json, sys
from pathlib import Path
import numpy, torch
from numpy._core._multiarray_umath import __cpu_features__
from ouroboros.stages.evalset import build_evalset
from ouroboros.params import load_params
from ouroboros.stages.build_scenes import build_scenes
from ouroboros.workspace import Workspace
try:
    from threadpoolctl import threadpool_info
    blas = sorted(i.get("architecture") or "" for i in threadpool_info() if i["internal_api"] == "openblas")
except ImportError:
    blas = None
params, ws = load_params(Path(sys.argv[1])), Workspace(Path(sys.argv[2]))
build_scenes(params, ws)
build_evalset(params, ws)
print(json.dumps({
    "kernels": {"numpy_avx2": __cpu_features__.get("X86_V3"), "torch": torch.backends.cpu.get_cpu_capability(),
                "openblas": blas},
    "scenes": json.loads(ws.scenes_fingerprint.read_text())["tables"],
    "eval_set": json.loads((ws.eval_dir / "fingerprint.json").read_text())["tables"],
}))
"""


def small_params(tmp_path, scannet_meta):
    params = TINY | {
        "scenes": {"meta": [str(scannet_meta)], "max_real": 3, "procedural": 3, "eval_fraction": 0.4},
        "eval": {"source": "procedural", "n_questions": 16, "blind": False},
    }
    params["filters"] = TINY["filters"] | {"before_scoring": [{"invalid": {}}, {"near_tie": {}},
                                                               {"perturbation": {"k": 1}}, {"dedupe": {}}]}
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(params, sort_keys=False))
    return path


def test_scenes_and_eval_set_fingerprints_do_not_depend_on_cpu_kernels(tmp_path, scannet_meta):
    params = small_params(tmp_path, scannet_meta)
    runs = {}
    for name, extra in (("native", {}), ("generic", GENERIC_KERNELS)):
        env = {k: v for k, v in os.environ.items() if k not in GENERIC_KERNELS} | extra
        env["PYTHONPATH"] = str(ROOT)
        runs[name] = subprocess.Popen([sys.executable, "-c", STAGES, str(params), str(tmp_path / name)],
                                      cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    results = {}
    for name, process in runs.items():
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0, f"{name} run failed:\n{err[-3000:]}"
        results[name] = json.loads(out.strip().splitlines()[-1])
    native, generic = results["native"]["kernels"], results["generic"]["kernels"]
    if native["torch"] == "DEFAULT" and not native["numpy_avx2"]:
        pytest.skip("this CPU has no SIMD kernels beyond the generic ones; nothing to compare")
    assert generic["torch"] == "DEFAULT" and not generic["numpy_avx2"], generic  # the settings took effect
    assert native["torch"] != generic["torch"]
    if native["openblas"] is not None:
        assert generic["openblas"] != native["openblas"], generic
    assert results["generic"]["scenes"] == results["native"]["scenes"]
    assert results["generic"]["eval_set"] == results["native"]["eval_set"]
    assert results["native"]["eval_set"]["qa__eval"]["rows"] > 0
