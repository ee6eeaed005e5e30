"""What the service offers over a loaded graph, knowing nothing of HTTP: entities, search, timeline, overview,
vocabulary, exports, saved queries, validation."""
