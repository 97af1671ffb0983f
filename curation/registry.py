"""The registry of curation's extension points (filters, proposers, feedback policies; the loop
policies of ouroboros use it too): plumbing.registry's, raising UnknownNameError."""

from curation.errors import UnknownNameError
from plumbing import registry


class Registry(registry.Registry):
    error = UnknownNameError
