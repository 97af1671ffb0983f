"""The pipeline's DVC stages, one module each: a function over the lake that one `ouro` verb
(ouroboros/commands/pipeline.py) runs and dvc.yaml names.

    build_scenes (scenes) | evalset (eval_set) | vision | embed | warm_start | round (round@N) | report
"""
