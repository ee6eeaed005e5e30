"""histkg: a historical knowledge-graph service.

Facts from historical texts as RDF under a small OWL ontology, each with its source and quote; claims kept apart
from facts; OWL 2 RL reasoning whose inferences explain themselves; served over SPARQL 1.1 and as linked data.
"""

__version__ = "0.1.0"
