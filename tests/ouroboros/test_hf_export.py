"""`ouro export --format hf | trl` on a tiny hand-made lake, read back with `datasets` itself:
the rows, the frames' pixels, and the card's YAML features against what `datasets` loads."""

import io
import json
from datetime import UTC, datetime

import polars as pl
import pytest
import yaml
from PIL import Image
from typer.testing import CliRunner

from ouroboros.cli import app
from store import Lake
from tests.curation.builders import qa_frame, scores_frame
from tests.training.conftest import png

datasets = pytest.importorskip("datasets")

MCA = {"task": "object_rel_distance", "answer_type": "mca", "options": ["A. chair", "B. table", "C. sofa"],
       "question": "Which is closest to the bed?", "answer": "B"}


@pytest.fixture(scope="module")
def lake_dir(tmp_path_factory):
    """Round 1: q0 (numeric) and q1 (mca) selected, q2 dropped; q0 scored in rounds 0 and 1."""
    path = tmp_path_factory.mktemp("lake") / "lake"
    lake = Lake(path)
    frames = [{"frame_id": f"s0f{i}", "scene_id": "s0", "index": i, "source": "render", "width": 16, "height": 16,
               "image": png((40 * i, 100, 200 - 40 * i), 16), "pose": None, "intrinsics": None,
               "visible_objects": []} for i in range(5)]
    lake.write("frames", frames)
    frame_ids = [f"s0f{i}" for i in range(5)]
    qa = qa_frame([{"qa_id": "q0", "frame_ids": frame_ids, "answer": "3"},
                   {"qa_id": "q1", "frame_ids": frame_ids[:2], **MCA},
                   {"qa_id": "q2", "frame_ids": frame_ids, "drop_reason": "near_tie"}])
    lake.write("qa", qa.with_columns(selected=pl.Series([True, True, False])), partition="r1")
    lake.write("scores", scores_frame([{"qa_id": "q0", "round": 0, "confidence": 0.2},
                                       {"qa_id": "q0", "round": 1, "confidence": 0.95},
                                       {"qa_id": "q0", "round": 1, "confidence": 0.1, "blind": True},
                                       {"qa_id": "q1", "round": 1, "confidence": 0.5}]), partition="r1")
    lake.write("rounds", [{"round": 1, "prev": 0, "params_hash": "abc", "counts": "{}", "bands": "{}",
                           "metrics": "{}", "checkpoint": "runs/r1/solver", "fingerprint": "f00",
                           "created_at": datetime.now(UTC)}], partition="r1")
    return path


def export(lake_dir, out, fmt, *extra):
    return CliRunner().invoke(app, ["export", "--round", "1", "--format", fmt, "--out", str(out),
                                    "--lake", str(lake_dir), "--max-frames", "3", *extra])


def front_matter(folder) -> dict:
    return yaml.safe_load((folder / "README.md").read_text().split("---\n")[1])


def test_hf_folder_loads_back_with_its_rows_frames_and_card(lake_dir, tmp_path):
    out = tmp_path / "hf"
    (out / "data").mkdir(parents=True)
    (out / "data" / "train-00001-of-00002.parquet").write_bytes(b"an earlier, larger export's shard")
    result = export(lake_dir, out, "hf", "--license", "cc-by-4.0")
    assert result.exit_code == 0, result.output
    assert [p.name for p in (out / "data").iterdir()] == ["train-00000-of-00001.parquet"]
    ds = datasets.load_dataset("parquet", data_dir=str(out / "data"), split="train", cache_dir=str(tmp_path / "c"))
    rows = {r["qa_id"]: r for r in ds}
    assert set(rows) == {"q0", "q1"}  # the selected rows only
    q0, q1 = rows["q0"], rows["q1"]
    assert (q1["question"], q1["options"], q1["answer"], q1["task"]) == (
        MCA["question"], MCA["options"], "B", "object_rel_distance")
    # sighted scores only, every round; the band is round 1's (q0 numeric: q = p = 0.95 > 0.9)
    assert q0["confidence_by_round"] == [{"round": 0, "confidence": 0.2}, {"round": 1, "confidence": 0.95}]
    assert (q0["confidence"], q0["band"], q1["band"]) == (0.95, "easy", "frontier")  # q1: (0.5 - 1/3) / (2/3)
    version = Lake(lake_dir).version("qa__r1")
    assert (q0["round"], q0["proposer"], q0["lake_table"], q0["lake_version"]) == (1, "template", "qa__r1", version)
    assert q0["program"].startswith("def compute_answer") and q0["prompt"].startswith("These are frames")
    # frames are images, the first, middle and last of the video, pixel for pixel
    assert q0["frame_ids"] == ["s0f0", "s0f2", "s0f4"] and len(q1["frames"]) == 2
    lake_png = dict(Lake(lake_dir).read("frames").select("frame_id", "image").iter_rows())
    for frame_id, image in zip(q0["frame_ids"], q0["frames"], strict=True):
        assert isinstance(image, Image.Image)
        assert image.tobytes() == Image.open(io.BytesIO(lake_png[frame_id])).tobytes()

    card = front_matter(out)
    assert card["license"] == "cc-by-4.0" and card["size_categories"] == ["n<1K"]
    assert datasets.Features._from_yaml_list(card["dataset_info"]["features"]) == ds.features
    assert card["dataset_info"]["splits"] == [{"name": "train", "num_bytes": card["dataset_info"]["splits"][0][
        "num_bytes"], "num_examples": 2}]
    body = (out / "README.md").read_text()
    assert "near_tie 1" in body and f"`qa__r1` version {version}" in body and "fingerprint `f00`" in body
    # the card's configs are what load_dataset(<folder>) reads
    assert datasets.load_dataset(str(out), split="train", cache_dir=str(tmp_path / "c2")).num_rows == 2


def test_trl_configs_hold_conversations_with_images(lake_dir, tmp_path):
    out = tmp_path / "trl"
    assert export(lake_dir, out, "trl").exit_code == 0
    sft = datasets.load_dataset(str(out), "sft", split="train", cache_dir=str(tmp_path / "c"))
    grpo = datasets.load_dataset(str(out), "grpo", split="train", cache_dir=str(tmp_path / "c"))
    row = next(r for r in sft if r["qa_id"] == "q1")
    user, assistant = row["messages"]
    assert [c["type"] for c in user["content"]] == ["image", "image", "text"] and len(row["images"]) == 2
    assert assistant == {"role": "assistant", "content": [{"type": "text", "text": "B"}]}
    prompt = next(r for r in grpo if r["qa_id"] == "q1")
    assert prompt["prompt"] == [user] and prompt["answer"] == "B"
    card = front_matter(out)
    assert [c["config_name"] for c in card["configs"]] == ["sft", "grpo"] and card["license"] == "other"


def test_bad_format_and_empty_round_say_what_exists(lake_dir, tmp_path):
    bad = export(lake_dir, tmp_path / "x", "nope")
    assert bad.exit_code == 2 and "'jsonl', 'swift', 'llamafactory', 'hf', 'trl'" in bad.output
    empty = CliRunner().invoke(app, ["export", "--round", "2", "--format", "hf", "--out", str(tmp_path / "y"),
                                     "--lake", str(lake_dir)])
    assert empty.exit_code == 2 and "round 2 has no selected rows" in empty.output and "some: 1" in empty.output
    assert not (tmp_path / "y").exists()


def test_card_features_are_the_parquet_features():
    from ouroboros.hf_export import HF_FEATURES, TRL_FEATURES, _card_type

    for features in (HF_FEATURES, *TRL_FEATURES.values()):
        as_yaml = [{"name": name, **_card_type(f)} for name, f in features.items()]
        assert datasets.Features._from_yaml_list(as_yaml) == datasets.Features.from_dict(json.loads(
            json.dumps(features)))
