"""Study fusion offline: re-score the per-query first-stage lists written by
`kechuang bench match --dump FILE` with plain RRF and with the engine's adaptive fusion.

    .venv/bin/python benchmarks/match_fusion.py /tmp/bench/*.dump.jsonl

No embedding or index is needed, so fusion principles can be compared across sets in seconds.
Besides plain RRF and the engine's fusion it scores two candidates studied for issue 3 (see
benchmarks/RESULTS.md): min-max normalisation instead of standardisation, and "+bigram", a third
list of bigram-only BM25 (dumps that hold "grams") weighted by the query's share of
out-of-vocabulary Chinese text (single-character words: rjieba splits unknown words into
characters, and that is where bigrams carry evidence the words lack).
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")

from kechuang.matching.engine.bench import ndcg_at
from kechuang.matching.engine.fusion import (
    FusionWeights,
    choose_weights,
    fuse,
    query_length,
    reciprocal_rank_fusion,
)

Pairs = list[tuple[str, float]]
_CJK_WORD = re.compile(r"^[\u3400-\u9fff]+$")


def oov_share(text: str) -> float:
    """Share of single-character words among the query's Chinese words (0 for Latin text, where
    the bigram list repeats the word list)."""
    from kechuang.text.analysis import analyse

    words = [w for w in analyse(text).words if _CJK_WORD.match(w)]
    return sum(1 for w in words if len(w) == 1) / len(words) if words else 0.0


def plain_rrf(n: float, lex: Pairs, dense: Pairs) -> Pairs:
    return reciprocal_rank_fusion(lex, dense)


def adaptive(n: float, lex: Pairs, dense: Pairs) -> Pairs:
    return fuse(lex, dense, choose_weights(n, [s for _k, s in lex], [s for _k, s in dense]))


def with_bigram_list(n: float, lex: Pairs, dense: Pairs, grams: Pairs, oov: float) -> Pairs:
    weights = choose_weights(n, [s for _k, s in lex], [s for _k, s in dense])
    two = dict(fuse(lex, dense, weights))
    third = dict(fuse(grams, [], FusionWeights(oov, 0.0, "bigram list"))) if oov > 0 else {}
    fused = {k: two.get(k, 0.0) + third.get(k, 0.0) for k in two.keys() | third.keys()}
    return sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))


def min_max(n: float, lex: Pairs, dense: Pairs) -> Pairs:
    weights = choose_weights(n, [s for _k, s in lex], [s for _k, s in dense])
    fused: dict[str, float] = {}
    for pairs, weight in ((lex, weights.lexical), (dense, weights.dense)):
        if not pairs or weight <= 0:
            continue
        low, high = min(s for _k, s in pairs), max(s for _k, s in pairs)
        for key, score in pairs:
            value = (score - low) / (high - low) if high > low else 1.0
            fused[key] = fused.get(key, 0.0) + weight * value
    return sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))


METHODS: dict[str, Callable[[float, Pairs, Pairs], Pairs]] = {
    "lexical": lambda n, lex, dense: lex,
    "dense": lambda n, lex, dense: dense,
    "rrf": plain_rrf,
    "adaptive": adaptive,
    "minmax": min_max,
}


def main(paths: list[str]) -> None:
    columns = [*METHODS, "+bigram"]
    print(f"{'set':<16}" + "".join(f"{m:>10}" for m in columns) + f"{'gain':>8}")
    gains: list[float] = []
    bigram_gains: list[float] = []
    for path in paths:
        totals = dict.fromkeys(columns, 0.0)
        n = 0
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                relevant = rec["relevant"]
                lex = [tuple(p) for p in rec["lexical"]]
                dense = [tuple(p) for p in rec["dense"]]
                length = rec.get("length", query_length(rec["text"]))
                grams = [tuple(p) for p in rec.get("grams", [])]
                lists = {name: method(length, lex, dense) for name, method in METHODS.items()}  # type: ignore[arg-type]
                oov = oov_share(rec["text"]) if grams else 0.0
                lists["+bigram"] = with_bigram_list(length, lex, dense, grams, oov)  # type: ignore[arg-type]
                for name, pairs in lists.items():
                    ranked = [k.split(":", 1)[1] for k, _s in pairs]
                    totals[name] += ndcg_at(ranked, relevant)
                n += 1
        scores = {k: v / max(n, 1) for k, v in totals.items()}
        gain = scores["adaptive"] - max(scores["lexical"], scores["dense"])
        gains.append(gain)
        bigram_gains.append(scores["+bigram"] - max(scores["lexical"], scores["dense"]))
        name = os.path.basename(path).split(".")[0]
        print(f"{name:<16}" + "".join(f"{scores[m]:>10.4f}" for m in columns) + f"{gain:>+8.4f}")
    if gains:
        print(f"mean gain of adaptive fusion over the best single method: {sum(gains) / len(gains):+.4f}")
        print(f"mean gain with the +bigram list: {sum(bigram_gains) / len(bigram_gains):+.4f}")


if __name__ == "__main__":
    main(sys.argv[1:])
