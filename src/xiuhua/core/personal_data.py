"""Rewriting encrypted personal data in bulk: the migration that encrypts existing rows, and key rotation.

Both work on raw column values (SQL), not through the model fields, so that they can read plaintext (migration)
or tokens under an older key (rotation) and write tokens under the current key with fresh digests.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.apps import apps
from django.db import connection as default_connection
from django.db import transaction

from xiuhua.core import crypto
from xiuhua.core.fields import EncryptedTextField, PhoneDigestField

BATCH = 1000


@dataclass(frozen=True)
class Table:
    """One table's encrypted columns and the digest columns computed from them (digest column → source column)."""

    name: str
    pk: str
    columns: tuple[str, ...]
    digests: tuple[tuple[str, str], ...] = ()


def encrypted_tables() -> list[Table]:
    """Every model table with encrypted fields, found from the fields themselves (a new one is rotated too)."""
    tables = []
    for model in apps.get_models():
        fields = model._meta.concrete_fields
        columns = tuple(f.column for f in fields if isinstance(f, EncryptedTextField))
        if not columns:
            continue
        by_name = {f.name: f.column for f in fields}
        digests = tuple((f.column, by_name[f.source]) for f in fields if isinstance(f, PhoneDigestField))
        tables.append(Table(model._meta.db_table, model._meta.pk.column, columns, digests))
    return tables


def rewrite(table: Table, plain_of: Callable[[str], str], connection=default_connection) -> int:
    """Re-encrypt every non-blank value of `table` under the current key; returns rows rewritten."""
    quote = connection.ops.quote_name
    cols = ", ".join(quote(c) for c in table.columns)
    sets = ", ".join(f"{quote(c)} = %s" for c in (*table.columns, *(d for d, _ in table.digests)))
    update = f"UPDATE {quote(table.name)} SET {sets} WHERE {quote(table.pk)} = %s"
    any_value = " OR ".join(f"{quote(c)} <> ''" for c in table.columns)  # rows with no contact stay as they are
    page = f"SELECT {quote(table.pk)}, {cols} FROM {quote(table.name)} WHERE ({any_value})"
    first = f"{page} ORDER BY {quote(table.pk)} LIMIT {BATCH}"
    # Keys may be text (a provider token's), so the first page has no lower bound rather than a sentinel like -1.
    following = f"{page} AND {quote(table.pk)} > %s ORDER BY {quote(table.pk)} LIMIT {BATCH}"
    done, last = 0, None
    while True:  # in pages by key: a year of cases does not have to fit in memory
        with connection.cursor() as cursor:
            if last is None:
                cursor.execute(first)
            else:
                cursor.execute(following, [last])
            rows = cursor.fetchall()
            if not rows:
                return done
            cursor.executemany(update, [_row_params(table, row, plain_of) for row in rows])
        done, last = done + len(rows), rows[-1][0]


def _row_params(table: Table, row: tuple, plain_of: Callable[[str], str]) -> list:
    pk, values = row[0], row[1:]
    plain = {col: plain_of(value) if value else (value or "") for col, value in zip(table.columns, values, strict=True)}
    sealed = [crypto.encrypt(value) if value else value for value in plain.values()]
    digests = [crypto.phone_digest(plain[source]) for _digest, source in table.digests]
    return [*sealed, *digests, pk]


def encrypt_existing(tables: Iterable[Table], connection=default_connection) -> None:
    """The data migration: plaintext rows become tokens (rows already encrypted are read and kept)."""
    for table in tables:
        rewrite(table, _plain_or_token, connection)


def decrypt_existing(tables: Iterable[Table], connection=default_connection) -> None:
    """The migration's reverse: tokens back to plaintext (digests left as they are; the old schema drops them)."""
    quote = connection.ops.quote_name
    for table in tables:
        cols = ", ".join(quote(c) for c in table.columns)
        sets = ", ".join(f"{quote(c)} = %s" for c in table.columns)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {quote(table.pk)}, {cols} FROM {quote(table.name)}")
            rows = cursor.fetchall()
            params = [[_plain_or_token(v) if v else v for v in row[1:]] + [row[0]] for row in rows]
            cursor.executemany(f"UPDATE {quote(table.name)} SET {sets} WHERE {quote(table.pk)} = %s", params)


def _plain_or_token(value: str) -> str:
    return crypto.decrypt(value) if crypto.is_token(value) else value


def rotate(tables: Iterable[Table] | None = None) -> dict[str, int]:
    """Re-encrypt every row under the current key (reading rows under it or a previous key) in one transaction."""
    counts = {}
    with transaction.atomic():
        for table in tables or encrypted_tables():
            counts[table.name] = rewrite(table, crypto.decrypt)
    return counts


def key_ids_in_use(tables: Iterable[Table] | None = None) -> dict[str, int]:
    """How many values each key id encrypted: after a rotation only the current key's id is left."""
    found: dict[str, int] = {}
    quote = default_connection.ops.quote_name
    for table in tables or encrypted_tables():
        for column in table.columns:
            with default_connection.cursor() as cursor:
                cursor.execute(f"SELECT {quote(column)} FROM {quote(table.name)} WHERE {quote(column)} <> ''")
                for (value,) in cursor.fetchall():
                    kid = value.split(":")[1] if crypto.is_token(value) else "plaintext"
                    found[kid] = found.get(kid, 0) + 1
    return found
