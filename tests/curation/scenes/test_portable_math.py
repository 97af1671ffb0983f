"""curation.scenes.portable_math: BLAS-free products, bit for bit the fixed-order sum of Python floats."""

import numpy as np
import pytest

from curation.scenes.portable_math import inner, matmul, norm


def python_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The oracle: IEEE doubles multiplied and added left to right by the interpreter."""
    rows, inner_dim = a.shape
    out = np.empty((rows, b.shape[1]))
    for i in range(rows):
        for j in range(b.shape[1]):
            total = float(a[i, 0]) * float(b[0, j])
            for k in range(1, inner_dim):
                total = total + float(a[i, k]) * float(b[k, j])
            out[i, j] = total
    return out


def test_matmul_is_the_fixed_order_sum_bit_for_bit_and_matches_numpy():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(50, 3)) * 1e3, rng.normal(size=(3, 4))
    got = matmul(a, b)
    assert got.tobytes() == python_matmul(a, b).tobytes()
    assert np.allclose(got, a @ b, rtol=1e-12, atol=0)
    assert matmul(a, b[:, 0]).tobytes() == python_matmul(a, b[:, :1])[:, 0].tobytes()


def test_stacked_matrices_and_norms():
    rng = np.random.default_rng(1)
    points, axes = rng.normal(size=(5, 8, 3)), rng.normal(size=(5, 3, 3))
    assert np.allclose(matmul(points, axes[:, None]), np.einsum("nck,nkm->ncm", points, axes))
    v = rng.normal(size=(7, 3))
    assert np.allclose(norm(v, axis=1), np.linalg.norm(v, axis=1)) and norm(v, axis=1, keepdims=True).shape == (7, 1)
    assert inner(v, v).tobytes() == np.array([x * x + y * y + z * z for x, y, z in v.tolist()]).tobytes()
    with pytest.raises(ValueError, match=r"shapes \(7, 3\) and \(4,\)"):
        matmul(v, np.ones(4))
