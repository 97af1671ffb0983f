"""The plumbing that curation and training both use, below every other package.

`curation` and `training` never import each other, so what both need lives here:
the progress bar (`plumbing.progress`), the lettered-option format of QA rows
(`plumbing.options`) and the retrying JSON-over-HTTP transport of the proposer's chat
client and the vLLM scoring client (`plumbing.transport`, its error in `plumbing.errors`).
It imports no other first-party package, so any of them may import it.
"""
