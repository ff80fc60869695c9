"""Index backends: storage and first-stage retrieval only. Fusion and re-rank live in the ranker."""
