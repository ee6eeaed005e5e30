"""RDF itself: namespaces and prefixes, the one format table, terms, parsing files into named graphs, writing RDF and
SPARQL results. Imports nothing of histkg but errors."""
