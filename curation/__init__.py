"""The data side of the loop: everything from a scene to a training slice, without a model's weights.

Owns scenes and their frames (`scenes`), the VSI-Bench task families (`tasks`) and the
benchmark's own questions (`vsibench`), the proposers (`proposer`, with `chat` for a model
behind an OpenAI-compatible server), the sandboxed executor (`executor`) and gold answers
(`gold`), the filters (`filters`), difficulty bands (`bands`), the selection of the training
slice (`selection`), and the feedback the next round's proposer reads (`feedback`,
`feedback_policies`, `history`). Extension points are `registry.Registry`s; errors live in
`curation.errors`. It imports `store` and `plumbing`, never `training`: the two meet only
through tables in the lake.
"""
