"""Entity and statement pages as a reader sees them: the page model (summary, claims, facts grouped as the ontology
declares, events in time order, incoming links), references one note per (source, quote), statements as sentences."""
