"""Sources as texts: statements as W3C Web Annotations and a reader of each source's quoted passages in the order of
the text."""
