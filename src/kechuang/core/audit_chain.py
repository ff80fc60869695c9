"""The audit log as a hash chain: each entry carries the hash of the one before it and a hash of
its own content (SHA-256 over a canonical JSON form), so an entry edited, deleted or inserted
behind the application's back breaks the chain, and `kechuang audit verify` names where.

Order and concurrency. The chain's head (last entry id and hash) is one row, `AuditChainHead`,
locked (SELECT … FOR UPDATE) in the writer's transaction before the new entry is built and updated
after it is inserted, in the same transaction. On PostgreSQL concurrent writers therefore queue on
that row until the transaction before them commits or rolls back, so each entry chains to the
entry committed just before it, and ids (taken from the sequence while the lock is held) follow
the chain. On SQLite writers are already serialised (every transaction begins IMMEDIATE). A rolled-
back transaction rolls back its entry and its head update together.

The head also catches the deletion of the last entries. Someone able to rewrite the whole table
and the head consistently can forge a chain: record `kechuang audit verify`'s head hash somewhere
else (a ticket, a signed mail) to anchor it.

HASH_VERSION names this exact canonical form; never change `canonical` without a new version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

HASH_VERSION = "v1"
FIELDS = ("at", "actor_id", "actor_repr", "action", "object_type", "object_id", "object_repr",
          "organisation_id", "before", "after")  # fmt: skip


def _normal(value: Any) -> Any:
    """JSON as the database gives it back: integral floats as ints (PostgreSQL's jsonb prints
    1e20 as an integer), keys as strings."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(k): _normal(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normal(v) for v in value]
    return value


def canonical(values: dict[str, Any], prev_hash: str) -> bytes:
    data: dict[str, Any] = {}
    for name in FIELDS:
        value = values.get(name)
        if name == "at" and isinstance(value, dt.datetime):
            value = value.astimezone(dt.UTC).isoformat(timespec="microseconds")
        elif name in {"before", "after"} and value is not None:
            value = _normal(json.loads(json.dumps(value)))
        elif name.endswith("_id") and value is not None:
            value = str(value)
        data[name] = value
    data["prev"] = prev_hash
    data["v"] = HASH_VERSION
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def entry_hash(values: dict[str, Any], prev_hash: str) -> str:
    return hashlib.sha256(canonical(values, prev_hash)).hexdigest()


def hash_of(entry: Any) -> str:
    """The hash an AuditEntry (or a row with the same attributes) must carry."""
    return entry_hash({name: getattr(entry, name) for name in FIELDS}, entry.prev_hash)


@dataclass
class Problem:
    entry_id: int | None
    kind: str  # altered | missing | head
    message: str


@dataclass
class Verdict:
    entries: int
    head_id: int | None
    head_hash: str
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(batch: int = 2000) -> Verdict:
    """Walk the whole log in id order and check every link and every hash."""
    from .models import AuditChainHead, AuditEntry

    problems: list[Problem] = []
    previous_id: int | None = None
    previous_hash = ""
    count = 0
    rows = AuditEntry.objects.order_by("id").only("id", "prev_hash", "hash", *FIELDS)
    for entry in rows.iterator(chunk_size=batch):
        count += 1
        if entry.prev_hash != previous_hash:
            where = f"after entry {previous_id}" if previous_id is not None else "at the start"
            problems.append(Problem(entry.id, "missing", f"entry {entry.id} does not follow the entry before it "
                                    f"(id {previous_id}): entries were deleted or inserted {where}"))  # fmt: skip
        if hash_of(entry) != entry.hash:
            problems.append(Problem(entry.id, "altered", f"entry {entry.id} was changed after it was written "
                                    "(its content does not match its hash)"))  # fmt: skip
        previous_id, previous_hash = entry.id, entry.hash
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_id and (head.last_id != previous_id or head.hash != previous_hash):
        problems.append(Problem(head.last_id, "head", f"the chain's head is entry {head.last_id} but the log ends "
                                f"at entry {previous_id}: the last entries were deleted or altered"))  # fmt: skip
    return Verdict(count, previous_id, previous_hash, problems)
