"""Where facts come from: statement nodes (source, quote, claimant, status) and explanations of inferred triples."""
