"""bench/gpu_smoke.sh: the script path at tiny size on CPU, and the real-size configs it builds."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.gpu_smoke import build

ROOT = Path(__file__).resolve().parents[2]


def test_smoke_script_trains_and_scores_at_tiny_size_on_cpu():
    args = ["--size", "tiny", "--device", "cpu", "--frames", "2", "--image-size", "64", "--train-steps", "2",
            "--batch-size", "2", "--score-samples", "4", "--score-batch-size", "2"]
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", str(ROOT / "bench" / "gpu_smoke.sh"), *args], capture_output=True, text=True,
                          env=env, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["train_steps"] == 2 and result["score_samples"] == 4
    assert result["train_samples_per_s"] > 0 and result["score_samples_per_s"] > 0
    assert result["vision_tokens_per_question"] == 2 * 4  # 64 px: 2 x 2 merged tokens a frame
    assert result["train_peak_gib"] is None  # no CUDA here


@pytest.mark.parametrize(("size", "published_b"), [("2b", 2.13), ("4b", 4.44), ("8b", 8.77)])
def test_real_size_configs_have_the_published_parameter_counts(size, published_b):
    """On the meta device: the dimensions give Qwen3-VL's published sizes (model cards, in billions)."""
    solver = build(size, "meta", image_size=448, frames=32)
    n = sum(p.numel() for p in solver.model.parameters()) / 1e9
    assert n == pytest.approx(published_b, rel=0.005)
