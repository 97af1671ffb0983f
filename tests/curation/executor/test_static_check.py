"""The static check: what real programs need passes, every escape route is rejected with a reason."""

import pytest

from curation.executor.static_check import check_program

ACCEPTED = [
    "import numpy as np\nimport math\nfrom math import sqrt, pi as PI\nfrom numpy.linalg import norm\n"
    "def compute_answer():\n    return float(norm(np.array([3, 4]))) + sqrt(PI) * 0",
    "def compute_answer():\n    import numpy\n    return numpy.pi",
    # `dir` is a denied builtin, but here it is the program's own variable
    "def compute_answer():\n    dir = get_rel_direction_lr('a', 'b', 'c', object_bboxes)\n    return dir",
    "def compute_answer():\n    return '{} and {:.1f}'.format('a', 1.25)",
    "def compute_answer():\n    return f'{room_size:.1f}'",
    "def compute_answer():\n    d = {}\n    d['x'] = [i * i for i in range(3)]\n    return sorted(d)",
]

REJECTED = [
    ("import os", "import of 'os'"),
    ("import numpy.random", "import of 'numpy.random'"),
    ("from subprocess import run", "import from 'subprocess'"),
    ("from numpy import *", "star import"),
    ("from numpy import load", "attribute 'load'"),
    ("x = ().__class__.__bases__[0].__subclasses__()", "'__subclasses__' is not allowed"),
    ("x = __builtins__", "'__builtins__'"),
    ("x = __import__('os')", "'__import__'"),
    ("x = getattr(np, 'lo' + 'ad')", "builtin 'getattr'"),
    ("x = eval('1')", "builtin 'eval'"),
    ("x = open('/etc/passwd')", "builtin 'open'"),
    ("x = type(1)", "builtin 'type'"),
    ("x = np.load('f.npy')", "attribute 'load'"),
    ("np.array([1]).tofile('/tmp/x')", "attribute 'tofile'"),
    ("x = np.ctypeslib", "attribute 'ctypeslib'"),
    ("x = np._core", "attribute '_core'"),
    ("g = (i for i in [1])\nx = g.gi_frame", "attribute 'gi_frame'"),
    ("math.pi = 3", "assigning or deleting attribute 'pi'"),
    ("del np.array", "assigning or deleting attribute 'array'"),
    ("x = '{0.__class__}'.format(1)", "str.format"),
    ("s = '{0}'\nx = s.format(1)", "str.format"),
    ("x = '{0[a]}'.format({})", "str.format"),
    ("class A:\n    pass", "class definitions"),
    ("async def f():\n    pass", "async code"),
    ("def f(__x):\n    return 1", "parameter '__x'"),
    ("def compute_answer(:\n    return 1", "syntax error at line 1"),
    ("x = 1\n" * 30_000, "characters"),
]


@pytest.mark.parametrize("code", ACCEPTED)
def test_accepts_what_programs_need(code):
    result = check_program(code)
    assert result.ok, result.reason


@pytest.mark.parametrize(("code", "reason"), REJECTED)
def test_rejects_escapes_with_a_reason(code, reason):
    result = check_program(code)
    assert not result.ok and reason in result.reason
