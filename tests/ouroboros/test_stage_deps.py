"""dvc.yaml's deps and params are exactly what each stage's `ouro` verb imports and reads.

A forgotten dep leaves a stale result after an edit; a needless one reruns a stage that the
edit cannot change. Both fail here. Stages, commands, deps and params all come from
dvc.yaml, so a new stage or a new import is checked without touching this file.
"""

import pytest
from typer.testing import CliRunner

from ouroboros.cli import app
from tests.conftest import ROOT, shared_file
from tests.ouroboros.pipeline_fixtures import write_params
from tests.ouroboros.stage_trace import (
    PACKAGES,
    PROJECT_PARAMS,
    STAGES,
    callback,
    covers,
    declared_code,
    folded,
    ouro_args,
    recorded_params_reads,
    rewrite_code_deps,
    verb_code,
)

IDS = [s[0] for s in STAGES]

def _relative(paths) -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in paths)


@pytest.mark.parametrize(("stage", "spec", "implicit"), STAGES, ids=IDS)
def test_code_deps_are_exactly_what_the_verb_imports(stage, spec, implicit):
    traced = verb_code(callback(ouro_args(stage, spec)))
    declared = declared_code(spec.get("deps", []))
    forgotten, needless = _relative(traced - declared), _relative(declared - traced)
    assert not forgotten, f"dvc.yaml stage {stage}: deps lack code its command imports: {forgotten}"
    assert not needless, f"dvc.yaml stage {stage}: deps list code its command never imports: {needless}"
    listed = [d for d in spec.get("deps", []) if d.split("/")[0] in PACKAGES]
    assert listed == folded(traced), (f"dvc.yaml stage {stage}: list its code deps as `python -m "
                                      f"tests.ouroboros.stage_trace` prints them: {folded(traced)}")


@pytest.fixture(scope="module")
def params_reads(tmp_path_factory) -> dict[str, set[str]]:
    """Keys each stage's verb reads, running every stage once (in dvc.yaml order) on a tiny workspace."""
    meta = str(shared_file("vsibench_meta", "scannet_meta_info_val.json"))
    root = tmp_path_factory.mktemp("stage_deps")
    first_round = PROJECT_PARAMS["rounds"][:1]
    params = write_params(root, rounds=first_round, scenes={"meta": [meta], "max_real": 4, "procedural": 4,
                                                            "eval_fraction": 0.3})
    runner = CliRunner()
    reads = {}
    for stage, spec, _ in STAGES:
        with recorded_params_reads() as keys:
            result = runner.invoke(app, [*ouro_args(stage, spec), "--params", str(params), "--root", str(root)])
        assert result.exit_code == 0, f"stage {stage} failed: {result.output}\n{result.exception!r}"
        reads[stage] = keys
    return reads


@pytest.mark.pipeline
@pytest.mark.parametrize(("stage", "spec", "implicit"), STAGES, ids=IDS)
def test_params_are_exactly_the_keys_the_verb_reads(params_reads, stage, spec, implicit):
    declared = [p for p in spec.get("params", []) if isinstance(p, str)]
    reads = params_reads[stage]
    assert reads, f"stage {stage}: no params read recorded (is the recorder attached?)"
    forgotten = sorted(k for k in reads if not any(covers(d, k) for d in [*declared, *implicit]))
    # A key can be read only under other values (eval.annotations when eval.source is vsibench),
    # which one run cannot see; a declared entry whose whole section is never read is dead.
    dead = sorted(d for d in declared if not any(covers(d.split(".")[0], k) for k in reads))
    assert not forgotten, f"dvc.yaml stage {stage}: params lack keys its command reads: {forgotten}"
    assert not dead, f"dvc.yaml stage {stage}: params list keys its command never reads: {dead}"


def test_the_trace_follows_lazy_imports_and_module_names_in_strings():
    traced = _relative(verb_code(callback(["warm-start"])))
    assert "training/sft.py" in traced  # imported inside a function
    assert "curation/executor/worker.py" in traced  # started as `python -m curation.executor.worker`
    assert "store/lake.py" in traced  # `from store import Lake` resolves through store's lazy exports
    assert "ouroboros/stages/report.py" not in traced  # another verb's code, imported only inside that verb


def test_write_gives_back_dvc_yaml_as_committed():
    """`stage_trace --write` rewrites only code deps: fed the deps dvc.yaml lists (equal to the
    trace's, above), it returns dvc.yaml unchanged, params named like a package included."""
    text = (ROOT / "dvc.yaml").read_text()
    listed = {stage.partition("@")[0]: [d for d in spec.get("deps", []) if d.split("/")[0] in PACKAGES]
              for stage, spec, _ in STAGES}
    assert rewrite_code_deps(text, listed) == text
    assert "- curation\n" in rewrite_code_deps("  s:\n    deps:\n      - curation\n    params:\n      - curation\n",
                                                {"s": ["curation/x.py"]})
