"""Independent worlds: each top-level `seed` draws every random stream from its own hash.

Seeds `seed + i` would make seeds 0 and 1 share all rooms but one, so an ablation's
seeds would measure one world many times. `stream_seed(seed, stream, i)` hashes the
triple instead: two seeds share no procedural room, eval room, pretraining room or
training order, while the same seed still gives the same world everywhere.
"""

import hashlib

# numpy's legacy seeding (transformers' set_seed) takes at most 2**32 - 1; two worlds of 300
# rooms then share one with probability ~ 300 * 300 / 2**32, 2e-5
SEED_SPACE = 2**32


def stream_seed(seed: int, stream: str, i: int = 0) -> int:
    """The `i`-th seed of `stream` ("rooms", "vision", "train", ...) in the world of `seed`."""
    digest = hashlib.blake2b(f"{stream}:{seed}:{i}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % SEED_SPACE


def train_seed(seed: int, train_seed: int) -> int:
    """The training data order and new weights' seed: params `train.seed` within the world of `seed`."""
    return stream_seed(seed, "train", train_seed)
