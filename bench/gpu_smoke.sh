#!/usr/bin/env bash
# One-GPU smoke test at real Qwen3-VL size (random bf16 weights; nothing downloads): a round's
# LoRA train step and its scoring through the project's code, printing samples/s for both and
# the peak GPU memory. Defaults: --size 4b, 32 frames of 448 px a question; at most 10 minutes.
#   bash bench/gpu_smoke.sh                       # 4B
#   bash bench/gpu_smoke.sh --size 2b
#   bash bench/gpu_smoke.sh --size tiny --device cpu --frames 2 --image-size 64   # the CPU check
set -euo pipefail
cd "$(dirname "$0")/.."
exec timeout 600 python bench/gpu_smoke.py "$@"
