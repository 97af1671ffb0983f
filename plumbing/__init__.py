"""The plumbing that curation and training both use, below every other package.

`curation` and `training` never import each other, so what both need lives here:
the progress bar (`plumbing.progress`) and the lettered-option format of QA rows
(`plumbing.options`); the retrying JSON-over-HTTP transport of the proposer's chat
client and the vLLM scoring client belongs here too. It imports no other first-party
package, so any of them may import it.
"""
