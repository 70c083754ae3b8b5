"""Hash chains over append-only rows: each row's hash covers its predecessor's hash and its own content.

The content is serialised canonically (sorted-key JSON, UTC ISO times, integral floats as integers) so that the
value read back from either database hashes exactly as the value that was written.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from django.db import connections

GENESIS = ""


def utc_text(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat(timespec="microseconds")


def _plain(value: Any) -> Any:
    # jsonb prints 1e16 as 10000000000000000; treat integral floats as integers on both sides.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def canonical(content: dict[str, Any]) -> str:
    return json.dumps(_plain(content), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def digest(prev_hash: str, content: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(content)).encode()).hexdigest()


def lock_chain(using: str, key: int) -> None:
    """Serialise writers of one chain until their transaction ends.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: nothing to do, every write transaction starts with
    BEGIN IMMEDIATE (settings), so the writer already holds the database's single write lock.
    """
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
