import subprocess
import sys

from store import ids


def test_ids_are_stable_across_processes():
    expr = "from store import ids; print(ids.qa_id('s', 'object_counting', 'How many?', ['A. 1'], 'p'))"
    out = subprocess.run([sys.executable, "-c", expr], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ids.qa_id("s", "object_counting", "How many?", ["A. 1"], "p")


def test_ids_change_with_every_identifying_field():
    base = ("s", "t", "q", ["A. x", "B. y"], "p")
    variants = [("s2", "t", "q", ["A. x", "B. y"], "p"), ("s", "t2", "q", ["A. x", "B. y"], "p"),
                ("s", "t", "q2", ["A. x", "B. y"], "p"), ("s", "t", "q", ["A. y", "B. x"], "p"),
                ("s", "t", "q", ["A. x", "B. y"], "p2"), ("s", "t", "q", None, "p")]
    assert len({ids.qa_id(*v) for v in [base, *variants]}) == 7


def test_id_recipe_is_documented_sha256_prefix():
    import hashlib

    expected = hashlib.sha256(b'["qa","s","t","q",null,"p"]').hexdigest()[:16]
    assert ids.qa_id("s", "t", "q", None, "p") == expected


def test_frame_id_depends_on_pixels():
    assert ids.frame_id("s", "render", 0, b"a") != ids.frame_id("s", "render", 0, b"b")
