"""OWL 2 RL: the fast materialiser (schema compiled to rule tables over interned terms), owlrl as the reference, the
closure cache, and the rules that explanations name."""
