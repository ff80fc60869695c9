"""The `milvus` backend: the same IndexBackend on a Milvus server or cluster (pymilvus).

One collection per generation, reached through an alias (the live name). A rebuild fills a new
collection and then moves the alias, so every application server switches at once and a crash
mid-rebuild leaves the alias on the old collection.

Lexical search: we analyse the text ourselves (the same `text.analysis` as the embedded backend)
and store the terms space-joined in two VARCHAR fields (words, bigrams), each feeding a Milvus BM25
function. The "standard" analyzer splits on non-word characters, which on our pre-tokenised text
keeps every CJK term whole; the jieba analyzer would re-segment it (and needs the `jieba`
package, which is not installed). Field boosts become term repetition (keyword terms
are written twice). Milvus returns BM25 as a distance whose sign differs between versions
(milvus-lite reports negative values), so only magnitudes are used and the order is Milvus's own.

Passages: an item with several passages (an expert's works) is one entity (part 0: its terms,
payload and first vector) plus one entity per further passage (key "kind:id#n", part n, the
same `parent`), which carry only a vector; dense search keeps each parent's best entity.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from ..types import KINDS, Document
from .base import GRAM_WEIGHT, PASSAGE_FANOUT, DocTerms, IndexBackend, QueryTerms

DIM = 384
MAX_VARCHAR = 60_000  # bytes; Milvus VARCHAR max_length is 65,535
MAX_QUERY_TERMS = 48
MAX_SEARCH_LIMIT = 16_384  # Milvus's topk ceiling


def _join(terms: list[str]) -> str:
    out = " ".join(terms)
    encoded = out.encode("utf-8")
    if len(encoded) > MAX_VARCHAR:
        out = encoded[:MAX_VARCHAR].decode("utf-8", errors="ignore").rsplit(" ", 1)[0]
    return out


def _boosted(fields: dict[str, list[str]]) -> list[str]:
    # One BM25 field here, so boosts become repetition: keywords (boost 1.5) are written twice.
    return fields.get("title", []) + fields.get("keywords", []) * 2 + fields.get("text", [])


class MilvusBackend(IndexBackend):
    name = "milvus"

    def __init__(self, uri: str, alias: str = "kechuang_items", collection: str | None = None) -> None:
        from pymilvus import MilvusClient

        self.uri = uri
        self.alias = alias
        self._client = MilvusClient(uri=uri)
        self._lock = threading.RLock()
        if collection is None:
            if self._client.has_collection(alias):
                collection = self._client.describe_alias(alias)["collection_name"]
            else:  # first start: no alias yet
                collection = self._create_collection()
                self._client.create_alias(collection, alias)
        self.collection = collection
        self._client.load_collection(collection)

    @classmethod
    def from_settings(cls, _root: Path) -> MilvusBackend:
        from django.conf import settings

        uri = os.environ.get("KECHUANG_MILVUS_URI") or getattr(settings, "MILVUS_URI", None)
        if not uri:
            raise ValueError("the milvus backend needs KECHUANG_MILVUS_URI (e.g. http://127.0.0.1:19530)")
        alias = os.environ.get("KECHUANG_MILVUS_COLLECTION") or getattr(settings, "MILVUS_COLLECTION", None)
        return cls(str(uri), str(alias or "kechuang_items"))

    def _create_collection(self) -> str:
        from pymilvus import DataType, Function, FunctionType

        name = f"{self.alias}_{time.strftime('%Y%m%d%H%M%S')}_{secrets.token_hex(3)}"
        schema = self._client.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("key", DataType.VARCHAR, is_primary=True, max_length=512)
        schema.add_field("kind", DataType.VARCHAR, max_length=16)
        schema.add_field("parent", DataType.VARCHAR, max_length=512)
        schema.add_field("part", DataType.INT64)
        for field in ("words", "grams"):
            schema.add_field(
                field,
                DataType.VARCHAR,
                max_length=65535,
                enable_analyzer=True,
                analyzer_params={"tokenizer": "standard"},
            )
            schema.add_field(f"{field}_sparse", DataType.SPARSE_FLOAT_VECTOR)
            schema.add_function(
                Function(
                    name=f"bm25_{field}",
                    function_type=FunctionType.BM25,
                    input_field_names=[field],
                    output_field_names=[f"{field}_sparse"],
                )
            )
        schema.add_field("vec", DataType.FLOAT_VECTOR, dim=DIM)
        schema.add_field("has_vec", DataType.BOOL)
        schema.add_field("text_hash", DataType.VARCHAR, max_length=64)
        schema.add_field("payload", DataType.VARCHAR, max_length=65535)
        index_params = self._client.prepare_index_params()
        for field in ("words", "grams"):
            index_params.add_index(
                field_name=f"{field}_sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25"
            )
        index_params.add_index(field_name="vec", index_type="FLAT", metric_type="IP")
        self._client.create_collection(name, schema=schema, index_params=index_params)
        return name

    def generation(self) -> str:
        return self.collection

    # -- writes --------------------------------------------------------------------------------
    def _existing(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        if not keys:
            return {}
        rows = self._client.query(
            self.collection,
            filter=f"key in {json.dumps(keys, ensure_ascii=False)}",
            output_fields=["key", "text_hash", "vec", "has_vec"],
        )
        return {r["key"]: r for r in rows}

    def upsert(self, docs: list[Document], terms: list[DocTerms], hashes: list[str]) -> None:
        if not docs:
            return
        with self._lock:
            existing = self._existing([d.key for d in docs])
            rows = []
            stale: list[str] = []
            for doc, doc_terms, text_hash in zip(docs, terms, hashes, strict=True):
                old = existing.get(doc.key)
                keep = old is not None and bool(old.get("has_vec")) and old.get("text_hash") == text_hash
                if old is not None and not keep:
                    stale.append(doc.key)
                rows.append(
                    {
                        "key": doc.key,
                        "kind": doc.kind,
                        "parent": doc.key,
                        "part": 0,
                        "words": _join(_boosted(doc_terms.words)),
                        "grams": _join(_boosted(doc_terms.grams)),
                        "vec": [float(x) for x in old["vec"]] if keep and old is not None else [0.0] * DIM,
                        "has_vec": bool(keep),
                        "text_hash": text_hash,
                        "payload": _join_payload(doc),
                    }
                )
            self._client.upsert(self.collection, rows)
            self._delete_parts(stale)

    def _delete_parts(self, keys: list[str]) -> None:
        """Remove the extra passages of `keys` (their text changed, or new vectors replace them)."""
        if keys:
            self._client.delete(
                self.collection, filter=f"parent in {json.dumps(keys, ensure_ascii=False)} and part > 0"
            )

    def delete(self, keys: Iterable[str]) -> None:
        keys = list(keys)
        if keys:
            with self._lock:
                self._client.delete(
                    self.collection, filter=f"parent in {json.dumps(keys, ensure_ascii=False)}"
                )

    def set_vectors(self, items: list[tuple[str, str, np.ndarray]]) -> None:
        if not items:
            return
        with self._lock:
            keys = [k for k, _h, _v in items]
            rows = self._client.query(
                self.collection, filter=f"key in {json.dumps(keys, ensure_ascii=False)}", output_fields=["*"]
            )
            by_key = {r["key"]: r for r in rows}
            updated = []
            parts = []
            for key, text_hash, vector in items:
                row = by_key.get(key)
                if row is None or row["text_hash"] != text_hash:
                    continue  # deleted or changed since: its new text will be embedded in turn
                matrix = np.asarray(vector, dtype=np.float32).reshape(-1, DIM)
                row = {k: v for k, v in row.items() if not k.endswith("_sparse")}
                row["vec"] = [float(x) for x in matrix[0]]
                row["has_vec"] = True
                updated.append(row)
                for n, extra in enumerate(matrix[1:], start=1):
                    parts.append(
                        {"key": f"{key}#{n}", "kind": row["kind"], "parent": key, "part": n, "words": "",
                         "grams": "", "vec": [float(x) for x in extra], "has_vec": True,
                         "text_hash": text_hash, "payload": ""}
                    )  # fmt: skip
            if updated:
                self._delete_parts([r["key"] for r in updated])
                self._client.upsert(self.collection, updated)
            if parts:
                self._client.upsert(self.collection, parts)

    # -- reads ---------------------------------------------------------------------------------
    def lexical_search(self, query: QueryTerms, kind: str, limit: int) -> list[tuple[str, float]]:
        scores: dict[str, float] = {}
        for field, terms, weight in (("words", query.words, 1.0), ("grams", query.grams, GRAM_WEIGHT)):
            unique = list(dict.fromkeys(terms))[:MAX_QUERY_TERMS]
            if not unique:
                continue
            result = self._client.search(
                self.collection,
                data=[" ".join(unique)],
                anns_field=f"{field}_sparse",
                limit=limit,
                filter=f'kind == "{kind}" and part == 0',
                output_fields=["key"],
                search_params={"metric_type": "BM25"},
            )
            for hit in result[0]:
                scores[hit["entity"]["key"]] = scores.get(hit["entity"]["key"], 0.0) + weight * abs(
                    float(hit["distance"])
                )
        return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]

    def dense_search(self, vector: np.ndarray, kind: str, limit: int) -> list[tuple[str, float]]:
        result = self._client.search(
            self.collection,
            data=[[float(x) for x in vector]],
            anns_field="vec",
            limit=min(limit * PASSAGE_FANOUT, MAX_SEARCH_LIMIT),
            filter=f'kind == "{kind}" and has_vec == true',
            output_fields=["parent"],
            search_params={"metric_type": "IP"},
        )
        best: dict[str, float] = {}  # hits come best first: the first one per parent is its best
        for hit in result[0]:
            parent = hit["entity"]["parent"]
            if parent not in best:
                best[parent] = float(hit["distance"])
                if len(best) == limit:
                    break
        return list(best.items())

    def documents(self, keys: Iterable[str]) -> dict[str, Document]:
        keys = list(keys)
        out: dict[str, Document] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            rows = self._client.query(
                self.collection,
                filter=f"key in {json.dumps(chunk, ensure_ascii=False)}",
                output_fields=["key", "payload"],
            )
            for row in rows:
                out[row["key"]] = Document.from_json(json.loads(row["payload"]))
        return out

    def vector(self, key: str) -> np.ndarray | None:
        return self.vectors([key]).get(key)

    def vectors(self, keys: Iterable[str]) -> dict[str, np.ndarray]:
        keys = list(keys)
        if not keys:
            return {}
        rows = self._client.query(
            self.collection,
            filter=f"parent in {json.dumps(keys, ensure_ascii=False)} and has_vec == true",
            output_fields=["parent", "part", "vec"],
        )
        grouped: dict[str, list[tuple[int, list[float]]]] = {}
        for r in rows:
            grouped.setdefault(r["parent"], []).append((int(r["part"]), r["vec"]))
        out = {}
        for parent, found in grouped.items():
            found.sort(key=lambda pv: pv[0])
            if found[0][0] != 0:
                continue  # the item itself has no vector yet
            matrix = np.asarray([v for _p, v in found], dtype=np.float32)
            out[parent] = matrix[0] if len(matrix) == 1 else matrix
        return out

    def pending(self, limit: int) -> list[tuple[Document, str]]:
        rows = self._client.query(
            self.collection,
            filter="has_vec == false and part == 0",
            output_fields=["payload", "text_hash"],
            limit=limit,
        )
        return [(Document.from_json(json.loads(r["payload"])), r["text_hash"]) for r in rows]

    def counts(self) -> tuple[dict[str, int], dict[str, int]]:
        docs = dict.fromkeys(KINDS, 0)
        embedded = dict.fromkeys(KINDS, 0)
        for kind in KINDS:
            docs[kind] = self._count(f'kind == "{kind}" and part == 0')
            embedded[kind] = (
                self._count(f'kind == "{kind}" and part == 0 and has_vec == true') if docs[kind] else 0
            )
        return docs, embedded

    def has_vectors(self, kind: str) -> bool:
        return self._count(f'kind == "{kind}" and part == 0 and has_vec == true') > 0

    def _count(self, expr: str) -> int:
        rows = self._client.query(self.collection, filter=expr, output_fields=["count(*)"])
        return int(rows[0]["count(*)"]) if rows else 0

    # -- rebuild -------------------------------------------------------------------------------
    def begin_rebuild(self) -> MilvusBackend:
        # Collections of crashed rebuilds (never aliased) are dropped first.
        for name in self._client.list_collections():
            if name.startswith(self.alias + "_") and name != self.collection:
                self._client.drop_collection(name)
        return MilvusBackend(self.uri, self.alias, collection=self._create_collection())

    def finish_rebuild(self, fresh: IndexBackend) -> None:
        assert isinstance(fresh, MilvusBackend)
        old = self.collection
        with self._lock:
            self._client.alter_alias(fresh.collection, self.alias)
            self.collection = fresh.collection
        self._client.drop_collection(old)

    def drop_all(self) -> None:
        """Remove the alias and its collection (tests)."""
        self._client.drop_alias(self.alias)
        self._client.drop_collection(self.collection)

    def close(self) -> None:
        self._client.close()


def _join_payload(doc: Document) -> str:
    payload = json.dumps(doc.to_json(), ensure_ascii=False)
    if len(payload.encode("utf-8")) > 65_000:
        # Very long texts: the stored copy is cut (the index terms were made from the full text).
        data = doc.to_json()
        data["text"] = data["text"][:15_000]
        payload = json.dumps(data, ensure_ascii=False)
    return payload
