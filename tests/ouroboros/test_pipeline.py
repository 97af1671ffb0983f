"""The stages in process, on a tiny workspace: what each writes, and that reruns are content-identical."""

import json
import re
import shlex
import shutil
from dataclasses import replace

import polars as pl
import pytest
from typer.testing import CliRunner

from curation.feedback import Feedback
from curation.params import FeedbackParams
from ouroboros.cli import app
from ouroboros.errors import StageInputError
from ouroboros.lakes import workspace_lake
from ouroboros.params import LoopParams, load_params
from ouroboros.stages.build_scenes import build_scenes
from ouroboros.stages.evalset import build_evalset, train_and_eval_scenes
from ouroboros.stages.report import report
from ouroboros.stages.round import run_round
from ouroboros.workspace import Workspace
from store import Lake
from tests.conftest import ROOT
from tests.ouroboros.pipeline_fixtures import write_params


@pytest.fixture(scope="module")
def workspace(pipeline_workspace):
    """scenes -> eval set -> vision -> warm start -> rounds 1, 2 (tests/ouroboros/conftest.py)."""
    return pipeline_workspace


@pytest.fixture
def own_workspace(workspace, tmp_path):
    """A private copy of the module's workspace, for a test that reruns or rewrites stages in it."""
    params, ws = workspace
    copy = tmp_path / "ws"
    shutil.copytree(ws.root, copy, symlinks=True)
    return params, Workspace(copy)


@pytest.mark.pipeline
def test_every_stage_writes_its_tables_and_files(workspace):
    params, ws = workspace
    lake = workspace_lake(ws)
    assert {"scenes", "frames", "qa__eval", "qa__r0", "qa__r1", "qa__r2", "scores__r1", "rounds__r2"} <= set(
        lake.tables())
    assert lake.count("frames") == lake.count("scenes") * (params.frames.n_frames + 1)  # + the overview
    assert (ws.runs / "vision" / "solver" / "solver.json").is_file()
    for n in (0, 1, 2):
        assert (ws.solver_dir(n) / "solver.json").is_file()
        metrics = json.loads(ws.metrics_path(n).read_text())
        assert {"eval", "eval_blind", "counts", "bands", "train"} <= set(metrics)
        assert 0 <= metrics["eval"]["overall"] <= 100
    rounds = lake.read("rounds").sort("round")
    assert rounds["round"].to_list() == [0, 1, 2] and rounds["prev"].to_list() == [0, 0, 1]


@pytest.mark.pipeline
def test_a_round_scores_with_the_previous_solver_and_selects_within_budget(workspace):
    params, ws = workspace
    lake = workspace_lake(ws)
    qa = lake.read("qa__r1")
    scores = lake.read("scores__r1")
    assert set(scores["solver"]) == {"r0"} and set(scores["round"]) == {1}
    assert set(scores["blind"]) == {False, True}
    selected = qa.filter(pl.col("selected"))
    assert 0 < selected.height <= params.selection.budget
    # only kept rows are ever selected, and every selected row was scored
    assert selected["drop_reason"].null_count() == selected.height
    assert set(selected["qa_id"]) <= set(scores["qa_id"])
    counts = json.loads(ws.metrics_path(1).read_text())["counts"]
    assert counts["proposed"] == qa.height and counts["selected"] == selected.height


@pytest.mark.pipeline
def test_eval_questions_come_from_held_out_scenes_only(workspace):
    _, ws = workspace
    lake = workspace_lake(ws)
    eval_scenes = set(lake.read("qa__eval")["scene_id"])
    train_scenes = set(lake.scan("qa").filter(pl.col("split") == "train").collect()["scene_id"])
    assert eval_scenes and train_scenes and not eval_scenes & train_scenes


@pytest.mark.pipeline
def test_rerunning_a_round_gives_the_same_content_fingerprint(own_workspace):
    params, ws = own_workspace
    before = json.loads(ws.fingerprint_path(2).read_text())
    run_round(2, 1, params, ws)
    after = json.loads(ws.fingerprint_path(2).read_text())
    assert after["content"] == before["content"]
    assert len(workspace_lake(ws).versions("qa__r2")) > 2  # rewritten, yet the same content


@pytest.mark.pipeline
def test_open_loop_differs_from_closed(own_workspace):
    params, ws = own_workspace
    closed = workspace_lake(ws).read("qa__r2").filter(pl.col("selected"))["qa_id"].sort().to_list()
    run_round(2, 1, replace(params, loop=LoopParams(policy="open")), ws)
    opened = workspace_lake(ws).read("qa__r2").filter(pl.col("selected"))["qa_id"].sort().to_list()
    assert opened != closed


@pytest.mark.pipeline
def test_report_tables(own_workspace):
    params, ws = own_workspace
    summary = report(params.__class__(**{**params.__dict__, "rounds": params.rounds[:2]}), ws)
    assert set(summary) == {"r0", "r1", "r2"}
    evals = pl.read_csv(ws.report_dir / "eval.csv")
    assert evals["round"].to_list() == [0, 1, 2]
    assert {"overall", "blind", "object_counting"} <= set(evals.columns)
    assert evals["overall"].to_list() == [summary[f"r{n}"]["eval"]["overall"] for n in range(3)]
    datamap = pl.read_csv(ws.report_dir / "datamap.csv")
    assert datamap.height > 0 and datamap["std"].min() >= 0


@pytest.mark.pipeline
def test_missing_previous_round_stops_before_any_write(own_workspace):
    params, ws = own_workspace
    with pytest.raises(StageInputError, match="r7/feedback.json: missing round 7 feedback"):
        run_round(8, 7, params, ws)
    assert "qa__r8" not in workspace_lake(ws).tables()


def test_cli_round_rejects_rounds_not_in_params(tmp_path):
    params = write_params(tmp_path)
    result = CliRunner().invoke(app, ["round", "5", "--prev", "4", "--params", str(params), "--root", str(tmp_path)])
    assert result.exit_code == 2 and "round 5 with prev 4 is not in" in result.output


def test_cli_reports_params_errors_by_key(tmp_path):
    params = write_params(tmp_path, selection={"budgett": 3})
    result = CliRunner().invoke(app, ["warm-start", "--params", str(params), "--root", str(tmp_path)])
    assert result.exit_code == 2 and "params.yaml.selection.budgett: unknown key" in result.output
    assert not Lake(tmp_path / "lake").tables()


@pytest.mark.pipeline
def test_benchmark_eval_set_holds_its_scenes_out_of_training(tmp_path):
    from tests.conftest import shared_file

    meta = str(shared_file("vsibench_meta", "scannet_meta_info_val.json"))
    annotations = str(shared_file("vsibench_qa", "sample_scannet.jsonl"))
    params = load_params(write_params(
        tmp_path, scenes={"meta": [meta], "max_real": 0, "procedural": 2, "eval_fraction": 0.3},
        eval={"source": "vsibench", "annotations": annotations, "blind": False}))
    ws = Workspace(tmp_path)
    build_scenes(params, ws)
    summary = build_evalset(params, ws)
    rows = workspace_lake(ws).read("qa__eval")
    assert set(rows["proposer"]) == {"vsibench"} and summary["kept"] == rows.height > 100
    benchmark_scenes = {json.loads(line)["scene_name"] for line in open(annotations)}
    train, held = train_and_eval_scenes(params, ws)
    assert {s.name for s in held} == benchmark_scenes
    assert not {s.name for s in train} & benchmark_scenes


@pytest.mark.pipeline
def test_benchmark_eval_reports_the_debiased_subset_beside_the_full_set(tmp_path):
    from curation.vsibench.annotations import load_pruned_ids
    from curation.vsibench.evalset import debiased_qa_ids
    from ouroboros.params import solver_frames
    from ouroboros.stages.evalset import load_evalset
    from ouroboros.steps import eval_scores
    from tests.conftest import shared_file
    from training.batches import SAMPLE_COLUMNS
    from training.evaluate import predictions
    from training.metrics import debiased_scores, vsibench_scores
    from training.solver import load_solver

    meta = str(shared_file("vsibench_meta", "scannet_meta_info_val.json"))
    annotations = str(shared_file("vsibench_qa", "sample_scannet.jsonl"))
    pruned = shared_file("vsibench_qa", "pruned_ids.txt")
    params = load_params(write_params(
        tmp_path, scenes={"meta": [meta], "max_real": 0, "procedural": 2, "eval_fraction": 0.3},
        eval={"source": "vsibench", "annotations": annotations, "pruned": str(pruned), "blind": False}))
    ws = Workspace(tmp_path)
    build_scenes(params, ws)
    build_evalset(params, ws)
    rows, frames = load_evalset(ws)
    assert 0 < len(debiased_qa_ids(rows)) < rows.height
    solver = load_solver(params.solver.spec, seed=params.seed, **solver_frames(params))
    reported = eval_scores(solver, rows, frames, params)
    # the same predictions, subset by the benchmark ids against the pruned-id file itself
    ids = {q: json.loads(d)["vsibench_id"] for q, d in zip(rows["qa_id"], rows["difficulty"], strict=True)}
    preds = [{**p, "id": ids[p["qa_id"]]} for p in predictions(solver, rows.select(SAMPLE_COLUMNS), frames,
                                                                 batch_size=params.solver.score_batch_size)]
    assert reported["eval"] == vsibench_scores(preds)
    assert reported["eval_debiased"] == debiased_scores(preds, load_pruned_ids(pruned))


@pytest.mark.pipeline
def test_export_formats_carry_prompt_answer_and_frames(workspace, tmp_path):
    from ouroboros.export import export

    _, ws = workspace
    lake = workspace_lake(ws)
    rows = lake.read("qa__r1").filter(pl.col("selected"))
    frames = lake.read("frames")
    for fmt, data_file in (("jsonl", "data.jsonl"), ("swift", "data.jsonl"), ("llamafactory", "data.json")):
        out = tmp_path / fmt
        written = export(rows, frames, out, fmt, max_frames=2)
        assert written["records"] == rows.height
        text = (out / data_file).read_text()
        records = json.loads(text) if fmt == "llamafactory" else [json.loads(x) for x in text.splitlines()]
        first = records[0]
        images = first["images"]
        assert images and all((out / p).is_file() for p in images)
        if fmt == "jsonl":
            assert first["prompt"].startswith("These are frames of a video.")
        else:
            user, assistant = first["messages"]
            assert user["content"].count("<image>") == len(images)
            assert assistant["content"] in set(rows["answer"])
    info = json.loads((tmp_path / "llamafactory" / "dataset_info.json").read_text())
    assert info["ouroboros_spatial"]["formatting"] == "sharegpt"


@pytest.mark.pipeline
def test_cli_export_of_a_round_without_rows(workspace, tmp_path):
    _, ws = workspace
    result = CliRunner().invoke(app, ["export", "--round", "9", "--out", str(tmp_path), "--lake", str(ws.lake_dir)])
    assert result.exit_code == 2 and "round 9 has no selected rows" in result.output


@pytest.mark.pipeline
def test_blind_eval_needs_two_held_out_scenes(tmp_path):
    from tests.conftest import shared_file

    meta = str(shared_file("vsibench_meta", "scannet_meta_info_val.json"))
    params = load_params(write_params(tmp_path, scenes={"meta": [meta], "max_real": 3, "procedural": 0,
                                                        "eval_fraction": 0.3}))
    ws = Workspace(tmp_path)
    build_scenes(params, ws)
    assert len(train_and_eval_scenes(params, ws)[1]) == 1  # scene ids fix the split
    with pytest.raises(StageInputError, match="raise scenes.eval_fraction"):
        build_evalset(params, ws)
    assert "qa__eval" not in workspace_lake(ws).tables()


@pytest.mark.pipeline
def test_status_lists_rounds_with_counts_and_scores(workspace):
    _, ws = workspace
    result = CliRunner(env={"COLUMNS": "200"}).invoke(app, ["status", "--lake", str(ws.lake_dir)])
    assert result.exit_code == 0, result.output
    assert "qa__r1" in result.output and "rounds" in result.output
    counts = json.loads(ws.metrics_path(1).read_text())["counts"]
    line = next(x for x in result.output.splitlines() if x.split()[:2] == ["1", "0"])  # round 1, prev 0
    assert str(counts["proposed"]) in line and str(counts["selected"]) in line


@pytest.mark.pipeline
def test_static_policy_trains_disjoint_chunks_of_one_pool_and_drops_nothing_by_confidence(own_workspace):
    params, copy = own_workspace
    static = replace(params, loop=LoopParams(policy="static"))
    run_round(1, 0, static, copy)
    run_round(2, 1, static, copy)
    one, two = (workspace_lake(copy).read(f"qa__r{n}") for n in (1, 2))
    (pool,) = (copy.runs / "static_pool").glob("*.parquet")  # proposed once, for every round
    assert set(one["qa_id"]) | set(two["qa_id"]) <= set(pl.read_parquet(pool)["qa_id"])
    assert not set(one["qa_id"]) & set(two["qa_id"])  # each round holds only its own chunk of it
    picked = [set(t.filter(pl.col("selected"))["qa_id"]) for t in (one, two)]
    assert picked[0] and picked[1] and not picked[0] & picked[1]
    assert len(picked[0]) <= params.selection.budget
    assert "trivial" not in set(two["drop_reason"].drop_nulls())  # no confidence filters outside the loop


@pytest.mark.pipeline
def test_every_round_measures_its_difficulty_signal_and_probe(workspace):
    params, ws = workspace
    for n in (0, 1, 2):
        signal = json.loads(ws.metrics_path(n).read_text())["signal"]
        overall = signal["confidence"]["overall"]
        assert overall["n"] > 0 and (overall["auroc"] is None or 0 <= overall["auroc"] <= 1)
        assert sum(b["n"] for b in overall["reliability"]) == overall["n"]
        assert set(signal["bands"]) == {"gold_prob", "success"}
        for allocation in signal["effective_cells"].values():
            assert 0 <= allocation["inverse_simpson"] <= allocation["exp_entropy"] <= allocation["cells"]
        assert signal["probe"]["solver"] == f"r{n}" and signal["probe"]["cells"] > 0
        # round 0 has no feedback before it; later rounds rank every policy against the probe's gains
        assert (signal["steering"] is None) == (n == 0)
        if n:
            assert {"weight", "frontier", "spatialevo", "learnability", "progress"} <= set(signal["steering"])
    fb = Feedback.from_json(ws.feedback_path(1).read_text())
    earlier = {(c.task, c.bin): c for c in Feedback.from_json(ws.feedback_path(0).read_text()).probe}
    for c in fb.probe:  # the same probe rows, answered by the round-1 solver
        assert c.n == earlier[(c.task, c.bin)].n
        assert c.gain is None or c.gain == pytest.approx(c.success - earlier[(c.task, c.bin)].success)


@pytest.mark.pipeline
def test_the_progress_policy_steers_rounds_and_falls_back_where_the_probe_has_no_evidence(own_workspace):
    params, ws = own_workspace
    steered = replace(params, feedback=FeedbackParams(policy="progress", min_probe_rows=1),
                      bands=replace(params.bands, signal="success"),
                      selection=replace(params.selection, prefer="learnability"))
    for n in (1, 2):
        run_round(n, n - 1, steered, ws)
        fb = Feedback.from_json(ws.feedback_path(n).read_text())
        # the gains this feedback steers by: the previous round's probe (the warm start's used
        # min_probe_rows 5, so its small cells have none)
        previous = Feedback.from_json(ws.feedback_path(n - 1).read_text())
        gains = {(c.task, c.bin): c.gain for c in previous.probe}
        assert fb.policy == "progress"
        for b in set(fb.bins) - set(previous.bins):  # the bins scored this round (others carry over)
            gain = gains.get((b.task, b.bin))
            assert b.fallback == (gain is None)
            assert b.progress == (None if gain is None else pytest.approx(abs(gain)))
            assert b.weight >= params.feedback.floor
        signal = json.loads(ws.metrics_path(n).read_text())["signal"]
        assert signal["probe"]["fallback_bins"] == sum(b.fallback for b in fb.bins)
        assert 0 < workspace_lake(ws).read(f"qa__r{n}").filter(pl.col("selected")).height <= params.selection.budget
    assert any(not b.fallback for b in fb.bins)  # with min_probe_rows 1, round 1's probe measured gains


def test_the_readme_examples_run_on_the_demo_lake(workspace, tmp_path, monkeypatch):
    """README.md's next commands and its Python snippet, as written, on this module's lake (rounds 1, 2).
    `ouro data fetch` needs a Hub: tests/ouroboros/test_fetch.py runs it against a stand-in; `ouro app`
    serves until stopped: tests/ouroboros/app/ drive it in a browser."""
    _, ws = workspace
    readme = (ROOT / "README.md").read_text()
    commands = [line for block in re.findall(r"```bash\n(.*?)```", readme, re.S)
                for line in block.splitlines() if line.startswith("ouro ")]
    assert len(commands) == 5, commands
    monkeypatch.chdir(tmp_path)  # the commands' default --lake is ./lake, their outputs land here
    (tmp_path / "lake").symlink_to(ws.lake_dir)
    for line in commands:
        args = shlex.split(line, comments=True)[1:]
        if args[:2] == ["data", "fetch"] or args[:1] == ["app"]:
            continue
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, f"{line}\n{result.output}"
    assert any((tmp_path / "export").iterdir())
    (snippet,) = re.findall(r"```python\n(.*?)```", readme, re.S)
    namespace: dict = {}
    exec(snippet, namespace)
    frontier = namespace["frontier"]
    assert frontier.columns == ["round", "task", "len"] and set(frontier["round"]) <= {0, 1, 2}

