"""Finding things by name: the forgiving label search and its index, and the Reconciliation Service API built on it."""
