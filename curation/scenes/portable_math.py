"""Products and norms that round the same on every x86-64 CPU.

numpy's `@`, `dot`, `einsum` with BLAS and the 1-D `linalg.norm` call OpenBLAS, which
picks its kernels by CPU (Haswell, SkylakeX, Zen, ...). Kernels add in different orders
and some fuse multiply-adds, so the last bits of a product differ between machines:
with OPENBLAS_CORETYPE=Prescott the same scene renders to other PNG bytes. Scenes,
camera paths and frames are data that DVC caches and fingerprints across machines, so
their geometry uses these instead: elementwise products added in index order. Each
numpy ufunc call rounds once per element (IEEE 754), and separate calls are never fused,
so the result depends on the inputs alone. For the small matrices here (3x3, 4x4,
a few hundred points) they cost about what a BLAS call does.
"""

import numpy as np


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """`a @ b` summed over k in index order: a [..., k] with b [k] (a vector) or b [..., k, m]
    (a matrix, or a stack of them broadcast against a's leading axes)."""
    a, b = np.asarray(a), np.asarray(b)
    k_axis = 0 if b.ndim == 1 else -2
    if a.shape[-1] != b.shape[k_axis]:
        raise ValueError(f"matmul: cannot multiply shapes {a.shape} and {b.shape}")
    if b.ndim == 1:
        return inner(a, b)
    out = a[..., 0, None] * b[..., 0, :]
    for k in range(1, a.shape[-1]):
        out = out + a[..., k, None] * b[..., k, :]
    return out


def inner(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Sum over the last axis of a * b (broadcast), in index order: row-wise dot products."""
    a, b = np.asarray(a), np.asarray(b)
    out = a[..., 0] * b[..., 0]
    for k in range(1, a.shape[-1]):
        out = out + a[..., k] * b[..., k]
    return out


def norm(x: np.ndarray, axis: int = -1, keepdims: bool = False) -> np.ndarray:
    """Euclidean length along `axis`, the squares added in index order."""
    x = np.moveaxis(np.asarray(x), axis, -1)
    out = np.sqrt(inner(x, x))
    return np.expand_dims(out, axis) if keepdims else out
