"""The solver and what is done to it: a model side of the loop that never sees a proposer.

Owns the Qwen3-VL solver, tiny from a config in code or real from a local directory
(`solver`, with `tokenizer`, `images`, `prompts` and `batches` shaping its inputs); the
difficulty signal, gold-answer confidence under teacher forcing (`confidence`, in this
process or on a vLLM server: `backends`); fine-tuning (`sft`, `distributed`, params in
`train_params`) and the tiny model's vision pretraining (`vision_pretrain`,
`vision_params`); evaluation with VSI-Bench's metrics (`evaluate`, `metrics`); and the
frame and question encoders behind the lake's embeddings (`encoders`). Errors in
`training.errors`. It imports `store` and `plumbing`, never `curation`: the two meet only
through tables in the lake.
"""
