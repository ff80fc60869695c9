"""Build data/domain_dict.txt from a corpus of author keywords (run offline, output committed).

    python -m kechuang.text.build_dictionary /path/to/csl.jsonl

Only all-CJK keywords, 2–12 characters long after normalisation, that rjieba's own
dictionary does not already know are kept: the point is to keep multi-character technical terms
(e.g. 量子点发光二极管) in one piece. The product reads only the committed file, never the corpus.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import opencc
import rjieba

_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_ALLOWED_RE = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]+$")


def keywords_of(corpus: Path) -> Counter[str]:
    t2s = opencc.OpenCC("t2s")
    counts: Counter[str] = Counter()
    with corpus.open(encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            for keyword in record.get("keywords") or []:
                word = t2s.convert(unicodedata.normalize("NFKC", keyword).casefold()).replace(" ", "")
                if 2 <= len(word) <= 12 and _CJK_RE.search(word) and _ALLOWED_RE.match(word):
                    counts[word] += 1
    return counts


def main(argv: list[str]) -> None:
    corpus = Path(argv[1])
    out = Path(__file__).parent / "data" / "domain_dict.txt"
    base = rjieba.Jieba()
    counts = keywords_of(corpus)
    words = sorted(w for w in counts if not base.has_word(w))
    header = [
        "# Kechuang domain dictionary for rjieba: technical terms kept in one piece.",
        f"# Built by kechuang.text.build_dictionary from {corpus.name} author keywords "
        "(CSL, Apache-2.0; see data/README.md).",
        f"# {len(words)} words not in rjieba's default dictionary.",
    ]
    out.write_text("\n".join(header + words) + "\n", encoding="utf-8")
    print(f"{len(words)} words → {out}")


if __name__ == "__main__":
    main(sys.argv)
