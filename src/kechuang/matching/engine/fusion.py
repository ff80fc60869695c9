"""Reciprocal-rank fusion that decides per query how much to trust each list.

Plain RRF weights the lexical and the dense list equally. That loses to BM25 on keyword-like
queries (a technical term either occurs or it does not; embeddings blur it into its neighbourhood)
and wins on descriptive ones (a problem statement shares meaning, not words, with its solution).
The weights follow three principles, none tuned to particular items:

1. Query form: the more content terms a query has, the more a dense vector can capture of it; a
   one- or two-term query is an exact-match request.
2. Confidence of each list: a list whose top scores stand out from its own tail (a large gap
   between the head and the median, measured on that list's own scale) is more likely right.
3. Agreement: items that both lists rank high get the sum of both contributions (RRF itself);
   nothing extra is added, so one list cannot drown the other.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RRF_K = 60


@dataclass
class FusionWeights:
    lexical: float
    dense: float
    reason: str


def _confidence(scores: list[float]) -> float:
    """How far the head stands out from the list's own tail, in units of the tail's spread (0..1)."""
    if len(scores) < 5:
        return 0.5
    arr = np.asarray(scores, dtype=np.float64)
    head = arr[:3].mean()
    tail = arr[len(arr) // 2 :]
    spread = arr.std() or 1e-9
    z = (head - tail.mean()) / spread
    return float(np.clip(z / 4.0, 0.0, 1.0))


def choose_weights(n_terms: int, lexical_scores: list[float], dense_scores: list[float]) -> FusionWeights:
    if not dense_scores:
        return FusionWeights(1.0, 0.0, "lexical only")
    if not lexical_scores:
        return FusionWeights(0.0, 1.0, "dense only")
    # 1. Query form: one content term → mostly lexical; eight or more → equal trust.
    form = float(np.clip((n_terms - 1) / 7.0, 0.0, 1.0))
    dense = 0.25 + 0.75 * form
    lexical = 1.0
    # 2. Confidence: shift trust towards the list whose head is clearly separated.
    lex_conf = _confidence(lexical_scores)
    dense_conf = _confidence(dense_scores)
    dense *= 0.5 + dense_conf
    lexical *= 0.5 + lex_conf
    return FusionWeights(
        lexical, dense, f"terms={n_terms} lex_conf={lex_conf:.2f} dense_conf={dense_conf:.2f}"
    )


def fuse(
    lexical: list[tuple[str, float]], dense: list[tuple[str, float]], weights: FusionWeights
) -> list[tuple[str, float]]:
    """Weighted RRF over two ranked lists of (key, score); returns (key, fused score) best first."""
    fused: dict[str, float] = {}
    for rank, (key, _score) in enumerate(lexical, start=1):
        fused[key] = fused.get(key, 0.0) + weights.lexical / (RRF_K + rank)
    for rank, (key, _score) in enumerate(dense, start=1):
        fused[key] = fused.get(key, 0.0) + weights.dense / (RRF_K + rank)
    return sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))
