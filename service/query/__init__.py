"""Untrusted SPARQL: the guard, preparing and running queries, writing answers, and the sandboxed query processes that
enforce time limits."""
