"""Which model on the vLLM server is the round's scoring solver.

Round N scores with round N-1's solver. The server serves the configured checkpoint
(solver.model); a LoRA adapter saved by a round (`Solver.save`: peft's adapter_config.json +
adapter_model.safetensors beside solver.json) is put on it at runtime through vLLM's dynamic
LoRA API (VLLMClient.load_lora_adapter) and scored as a model of its own. Its name is
`<label>-<digest of the adapter files>` (e.g. r1-3f9a0c2b71de): a rerun of the round finds it
already loaded, and two different adapters never share a name, so a name on the server always
means the same weights. Adapters are never unloaded: they are small, vLLM keeps only
--max-loras of them on the GPU and evicts the least recently used from its CPU cache, and
another rank of the same round may still be scoring with one.

Full fine-tuned weights (the tiny CPU model's mode) are not something a vLLM server that serves
solver.model can score with, so they fail here, before any work, instead of silently scoring
the base model.
"""

import hashlib
from pathlib import Path

from training.backends.vllm_client import VLLMClient
from training.errors import UnservableSolverError
from training.solver import SOLVER_FILE, SolverConfig

ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors")  # what peft's save_pretrained writes
DIGEST_CHARS = 12  # 48 bits of SHA-256: no two adapters of one project collide


def adapter_digest(path: Path) -> str:
    """The first DIGEST_CHARS hex digits of the SHA-256 over the adapter files (names and bytes)."""
    digest = hashlib.sha256()
    for name in ADAPTER_FILES:
        digest.update(name.encode())
        with (path / name).open("rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()[:DIGEST_CHARS]


def scoring_model(client: VLLMClient, served: list[str], source: str, label: str) -> str:
    """The model id that scores with the solver `source` (a load_solver spec): `client.model` for
    the checkpoint the server serves, or the adapter saved in `source`, loaded if `served` (the
    server's model ids, from `client.probe()`) lacks it, under `label`-<digest>.
    UnservableSolverError for full fine-tuned weights."""
    path = Path(source)
    if not (path / SOLVER_FILE).is_file():
        return client.model  # the configured checkpoint itself: what the server serves
    config = SolverConfig.from_json((path / SOLVER_FILE).read_text(), str(path / SOLVER_FILE))
    if config.kind != "lora":
        raise UnservableSolverError(
            f"solver.backend vllm cannot score with {path}: it holds full fine-tuned weights (kind "
            f"{config.kind!r}), and the server at {client.base_url} serves {client.model!r} and LoRA adapters "
            "on it only; score with solver.backend: hf")
    missing = [name for name in ADAPTER_FILES if not (path / name).is_file()]
    if missing:
        raise UnservableSolverError(f"{path}: a LoRA solver without {missing}, so there is no adapter to "
                                    "put on the vLLM server; rerun the round that saved it")
    name = f"{label}-{adapter_digest(path)}"
    if name not in served:
        client.load_lora_adapter(name, path.resolve())  # the server reads the path itself
    return name
