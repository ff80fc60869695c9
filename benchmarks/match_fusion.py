"""Study fusion offline: re-score the per-query first-stage lists written by
`kechuang bench match --dump FILE` with plain RRF and with the engine's adaptive fusion.

    .venv/bin/python benchmarks/match_fusion.py /tmp/bench/*.dump.jsonl

No embedding or index is needed, so fusion principles can be compared across sets in seconds.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")

from kechuang.matching.engine.bench import ndcg_at
from kechuang.matching.engine.fusion import choose_weights, fuse, query_length, reciprocal_rank_fusion

Pairs = list[tuple[str, float]]


def plain_rrf(n: float, lex: Pairs, dense: Pairs) -> Pairs:
    return reciprocal_rank_fusion(lex, dense)


def adaptive(n: float, lex: Pairs, dense: Pairs) -> Pairs:
    return fuse(lex, dense, choose_weights(n, [s for _k, s in lex], [s for _k, s in dense]))


METHODS: dict[str, Callable[[float, Pairs, Pairs], Pairs]] = {
    "lexical": lambda n, lex, dense: lex,
    "dense": lambda n, lex, dense: dense,
    "rrf": plain_rrf,
    "adaptive": adaptive,
}


def main(paths: list[str]) -> None:
    print(f"{'set':<16}" + "".join(f"{m:>10}" for m in METHODS) + f"{'gain':>8}")
    gains = []
    for path in paths:
        totals = dict.fromkeys(METHODS, 0.0)
        n = 0
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                relevant = rec["relevant"]
                lex = [tuple(p) for p in rec["lexical"]]
                dense = [tuple(p) for p in rec["dense"]]
                for name, method in METHODS.items():
                    ranked = [
                        k.split(":", 1)[1]
                        for k, _s in method(rec.get("length", query_length(rec["text"])), lex, dense)
                    ]  # type: ignore[arg-type]
                    totals[name] += ndcg_at(ranked, relevant)
                n += 1
        scores = {k: v / max(n, 1) for k, v in totals.items()}
        gain = scores["adaptive"] - max(scores["lexical"], scores["dense"])
        gains.append(gain)
        name = os.path.basename(path).split(".")[0]
        print(f"{name:<16}" + "".join(f"{scores[m]:>10.4f}" for m in METHODS) + f"{gain:>+8.4f}")
    if gains:
        print(f"mean gain of adaptive fusion over the best single method: {sum(gains) / len(gains):+.4f}")


if __name__ == "__main__":
    main(sys.argv[1:])
