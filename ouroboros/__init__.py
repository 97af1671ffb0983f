"""The round loop and the `ouro` CLI: the top layer, which nothing else imports.

Owns the DVC stages (`stages`, one module each) and the typer verbs that run them and the
rest of the CLI (`commands`, mounted by `cli`); what steers a round (`loop_policies`); the
steps a stage composes (`steps`, `inputs`, `record`, `fingerprints`); params.yaml as typed
sections (`params`, `config`); the workspace's paths (`workspace`) and its lake and
manifests (`lakes`, `manifests`); multi-process rounds (`launch`) and the arm comparison
(`ablate`, `benchmark`). It alone reads params.yaml and the command line, and hands
`curation`, `training`, `store` and `plumbing` typed arguments.
"""
