"""Fusion of the lexical and the dense list that decides per query how much to trust each.

Plain reciprocal-rank fusion weights both lists equally whatever they say. It loses to BM25 on
keyword-like queries (a technical term either occurs or it does not; embeddings blur it into its
neighbourhood) and wins on descriptive ones. We fuse *standardised scores* instead of ranks:

1. Each list's scores are divided by that list's standard deviation (its own scale: BM25 is
   unbounded, cosine sits in a narrow band) and shifted so the list's last item scores half a
   unit — an item the list did not retrieve gets 0 from it.
2. Confidence comes for free from the magnitudes: a list whose head stands far above its tail
   (BM25 with a rare exact term) gives its top items large values; a flat list (no clear winner)
   gives small ones and so defers to the other list. Agreement adds up: an item both lists rank
   high gets both contributions.
3. Query form: the dense weight grows with the length of the query in words (Chinese characters
   count as half a word: Chinese words average about two characters). A one-word query is an
   exact-match request and gets no dense weight; a described problem shares meaning rather than
   words with its answer and gets full weight from eight words on.

No parameter was fitted to particular items; `benchmarks/match_fusion.py` compares this with plain
RRF on every benchmark set from `kechuang bench match --dump` files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

RRF_K = 60
RETRIEVED_BONUS = 0.5


@dataclass
class FusionWeights:
    lexical: float
    dense: float
    reason: str


_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD_RE = re.compile(r"[A-Za-z0-9]+")


def query_length(text: str) -> float:
    """Length in words: Latin/digit words plus half the Chinese characters."""
    return len(_CJK_RE.findall(text)) / 2 + len(_WORD_RE.findall(text))


def choose_weights(length: float, lexical_scores: list[float], dense_scores: list[float]) -> FusionWeights:
    if not dense_scores:
        return FusionWeights(1.0, 0.0, "lexical only")
    if not lexical_scores:
        return FusionWeights(0.0, 1.0, "dense only")
    form = float(np.clip((length - 1) / 7.0, 0.0, 1.0))
    return FusionWeights(1.0, form, f"length={length:.1f}")


def _standardised(pairs: list[tuple[str, float]]) -> dict[str, float]:
    if not pairs:
        return {}
    scores = np.asarray([s for _k, s in pairs], dtype=np.float64)
    spread = float(scores.std())
    if spread <= 1e-12:
        # All equal (or a single item): no evidence to separate them, one unit each.
        return {k: 1.0 for k, _s in pairs}
    floor = float(scores.min())
    # Half a unit for being retrieved at all, so that in a short list the last item is not
    # treated like an item that was never found.
    return {k: (s - floor) / spread + RETRIEVED_BONUS for k, s in pairs}


def fuse(
    lexical: list[tuple[str, float]], dense: list[tuple[str, float]], weights: FusionWeights
) -> list[tuple[str, float]]:
    """Weighted sum of standardised scores; returns (key, fused score) best first."""
    fused: dict[str, float] = {}
    for pairs, weight in ((lexical, weights.lexical), (dense, weights.dense)):
        if weight <= 0:
            continue
        for key, value in _standardised(pairs).items():
            fused[key] = fused.get(key, 0.0) + weight * value
    return sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))


def reciprocal_rank_fusion(
    lexical: list[tuple[str, float]], dense: list[tuple[str, float]], k: int = RRF_K
) -> list[tuple[str, float]]:
    """Plain RRF, kept as the reference the adaptive fusion is compared with."""
    fused: dict[str, float] = {}
    for pairs in (lexical, dense):
        for rank, (key, _s) in enumerate(pairs, start=1):
            fused[key] = fused.get(key, 0.0) + 1.0 / (k + rank)
    return sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))
