"""`VisionPretrainParams`: the encoder pretraining's settings (training.vision_pretrain).

Kept apart so that reading params.yaml does not import transformers.
"""

from dataclasses import dataclass

from training.errors import TrainParamsError


@dataclass(frozen=True)
class VisionPretrainParams:
    steps: int = 600  # optimizer steps
    batch_size: int = 32  # images per step
    lr: float = 2e-3  # AdamW, cosine schedule
    # Count targets are small integers and shares are in [0, 1]: weigh the counts' squared
    # error down so both matter (100:1 is what taught both in bench/vision_bench.py).
    count_weight: float = 0.01

    def __post_init__(self):
        checks = {"steps": self.steps >= 1, "batch_size": self.batch_size >= 1,
                  "lr": self.lr > 0, "count_weight": self.count_weight > 0}
        for name, ok in checks.items():
            if not ok:
                raise TrainParamsError(f"vision.{name}", "a positive value", getattr(self, name))
