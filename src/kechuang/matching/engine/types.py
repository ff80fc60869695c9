"""The engine's vocabulary: what goes in (Document, Constraints) and what comes out (Hit, EngineStats).

The engine indexes exactly the text it is given. Deciding what is public (NDA rules, drafts) is the
marketplace's job: it must never hand private details to `upsert`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

Kind = Literal["supply", "demand", "expert"]
KINDS: tuple[str, ...] = ("supply", "demand", "expert")
Band = Literal["high", "medium", "low", "unknown"]

# Names usable in Constraints.hard, also the keys of Hit.constraints_met / constraints_missed.
CONSTRAINT_NAMES = ("fields", "trl", "budget", "region", "transfer_modes", "cooperation_modes")


@dataclass
class Document:
    """One searchable item.

    id      the marketplace's identifier, unique within `kind` (e.g. str(supply.pk))
    kind    "supply" | "demand" | "expert"
    title, text, keywords   public text only; indexed as given (title and keywords boosted)
    fields  tech-field codes (TechField codes; prefix match, "electronics" covers "electronics.ic")
    attrs   structured facts used by the re-rank, all optional:
            trl (int 1–9, what a supply offers), trl_min / trl_max (what a demand wants),
            price_min / price_max (Decimal yuan, supply), budget (Decimal yuan, demand),
            region (GB/T 2260 code), transfer_modes (list of "transfer"|"licence"|"equity"|"co_develop"),
            cooperation_modes (list), owner_org_id (int), plus anything the caller wants echoed back.
    passages  parts of the item that stand on their own (an expert's works, one per entry): each is
            embedded too and the item's semantic similarity is that of its best passage, so an
            expert with one closely matching work is found even when the rest of their work is
            about something else. Empty: the engine looks for such a list in `text` itself.
    """

    id: str
    kind: str
    title: str = ""
    text: str = ""
    keywords: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    attrs: dict[str, Any] = field(default_factory=dict)
    passages: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        """Unique across kinds: the same id may be used by a supply and a demand."""
        return f"{self.kind}:{self.id}"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "text": self.text,
            "keywords": list(self.keywords),
            "fields": list(self.fields),
            "attrs": {k: (str(v) if isinstance(v, Decimal) else v) for k, v in self.attrs.items()},
            **({"passages": list(self.passages)} if self.passages else {}),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Document:
        attrs = dict(data.get("attrs") or {})
        for name in ("price_min", "price_max", "budget"):
            if attrs.get(name) is not None:
                attrs[name] = Decimal(str(attrs[name]))
        return cls(
            id=str(data["id"]),
            kind=data["kind"],
            title=data.get("title") or "",
            text=data.get("text") or "",
            keywords=list(data.get("keywords") or []),
            fields=list(data.get("fields") or []),
            attrs=attrs,
            passages=list(data.get("passages") or []),
        )


@dataclass
class Constraints:
    """What the searcher wants besides the text. Every criterion left None/empty is not checked.

    fields            wanted tech-field codes (a hit meets it if one of its fields shares a prefix)
    trl_min, trl_max  wanted readiness range; a supply's `trl` or a demand's trl_min..trl_max must overlap
    budget_min, budget_max   money range in yuan the searcher can pay (demand→supplies: budget_max =
                      the demand budget) or asks for (supply→demands: budget_min = the supply's price_min);
                      it must overlap the hit's price_min..price_max or 0..budget
    regions           preferred GB/T 2260 codes (310000 covers 3101xx); a hit's `region` must fall inside
    transfer_modes, cooperation_modes   wanted modes; the hit must offer at least one of them
    hard              names from CONSTRAINT_NAMES that filter instead of re-ranking: a hit that misses
                      one is dropped (a hit whose attribute is unknown is kept and listed as unknown)
    """

    fields: list[str] = field(default_factory=list)
    trl_min: int | None = None
    trl_max: int | None = None
    budget_min: Decimal | None = None
    budget_max: Decimal | None = None
    regions: list[str] = field(default_factory=list)
    transfer_modes: list[str] = field(default_factory=list)
    cooperation_modes: list[str] = field(default_factory=list)
    hard: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        unknown = set(self.hard) - set(CONSTRAINT_NAMES)
        if unknown:
            raise ValueError(f"unknown hard constraints: {sorted(unknown)}")


@dataclass
class Hit:
    """One ranked result with its explanation.

    score              final score after fusion and re-rank (higher is better; comparable within one list)
    lexical_score/rank BM25 score and 1-based rank in the lexical list (None: not retrieved lexically)
    dense_similarity/rank   cosine similarity and rank in the dense list (None: not embedded yet or
                       not retrieved)
    band               semantic similarity band from the dense cosine ("unknown" when not embedded)
    matched_terms      query terms found in the document, as the analyser produced them
    highlights         {"title": html, "text": html}: escaped text with <mark> around matches (safe to render)
    constraints_met / constraints_missed / constraints_unknown   names from CONSTRAINT_NAMES
    """

    id: str
    kind: str
    score: float
    lexical_score: float | None = None
    lexical_rank: int | None = None
    dense_similarity: float | None = None
    dense_rank: int | None = None
    band: str = "unknown"
    matched_terms: list[str] = field(default_factory=list)
    highlights: dict[str, str] = field(default_factory=dict)
    constraints_met: list[str] = field(default_factory=list)
    constraints_missed: list[str] = field(default_factory=list)
    constraints_unknown: list[str] = field(default_factory=list)
    document: Document | None = None


@dataclass
class EngineStats:
    backend: str
    documents: dict[str, int]
    embedded: dict[str, int]
    pending_embeddings: int
    generation: str
    model: str
