"""Proposers: template families, a model behind an OpenAI-compatible API, the reference corpus.

Every proposer returns a proposal frame (curation.proposer.rows.PROPOSAL_SCHEMA).
"""

from curation.proposer.corpus import CorpusProposer, load_corpus
from curation.proposer.llm import LLMProposer
from curation.proposer.rows import PROPOSAL_SCHEMA, proposal_frame, proposal_row
from curation.proposer.template import TemplateProposer

__all__ = [
    "PROPOSAL_SCHEMA", "CorpusProposer", "LLMProposer", "TemplateProposer", "load_corpus", "proposal_frame",
    "proposal_row",
]
