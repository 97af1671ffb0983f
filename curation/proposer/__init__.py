"""Proposers: template families, a model behind an OpenAI-compatible API, the reference corpus.

Registered, one per module (curation.proposer.base); importing this package registers them
all. Every proposer returns a proposal frame (curation.proposer.rows.PROPOSAL_SCHEMA).
"""

from curation.proposer.base import PROPOSERS, ProposalRequest, Proposer, register
from curation.proposer.corpus import CorpusProposer, load_corpus
from curation.proposer.llm import LLMProposer
from curation.proposer.rows import PROPOSAL_SCHEMA, proposal_frame, proposal_row
from curation.proposer.template import TemplateProposer

__all__ = [
    "PROPOSAL_SCHEMA", "PROPOSERS", "CorpusProposer", "LLMProposer", "ProposalRequest", "Proposer",
    "TemplateProposer", "load_corpus", "proposal_frame", "proposal_row", "register",
]
