"""`VisionPretrainParams`: the encoder pretraining's settings (training.vision_pretrain).

Kept apart so that reading params.yaml does not import transformers.
"""

from pydantic import PositiveFloat, PositiveInt
from pydantic.dataclasses import dataclass

from plumbing.params import STRICT


@dataclass(frozen=True, config=STRICT)
class VisionPretrainParams:
    steps: PositiveInt = 600  # optimizer steps
    batch_size: PositiveInt = 32  # images per step
    lr: PositiveFloat = 2e-3  # AdamW, cosine schedule
    # Count targets are small integers and shares are in [0, 1]: weigh the counts' squared
    # error down so both matter (100:1 is what taught both in bench/vision_bench.py).
    count_weight: PositiveFloat = 0.01
