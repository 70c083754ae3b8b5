"""Database triggers that make audit rows and case events append-only for every client, not just the ORM.

- UPDATE and DELETE are refused on PostgreSQL (plpgsql RAISE) and SQLite (RAISE(ABORT, ...)).
- Audit rows at least RETENTION_FLOOR_DAYS old may be deleted (`xiuhua audit purge`), without dropping triggers.
- An audit row's actor may be set to NULL and nothing else: what Django does when a user row is deleted.
- SQLite's flush (tests) runs DELETE FROM every table; inside `maintenance()` the SQLite function
  xiuhua_maintenance() returns 1 and the triggers stand aside. The function exists only on connections Django
  opened, so an UPDATE from the sqlite3 shell fails either way. PostgreSQL's flush is TRUNCATE, which row
  triggers do not see, so PostgreSQL needs no such switch.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db.backends.base.base import BaseDatabaseWrapper

RETENTION_FLOOR_DAYS = 180
MESSAGE = "审计记录与案卷过程记录只能追加，不可修改或删除"

# table -> (whether an UPDATE may clear actor_id and change nothing else; whether rows older than the retention
#           floor may be deleted)
TABLES: dict[str, tuple[bool, bool]] = {
    "core_auditentry": (True, True),
    "cases_caseevent": (False, False),
}

_maintenance: ContextVar[bool] = ContextVar("xiuhua_maintenance", default=False)


@contextmanager
def maintenance() -> Iterator[None]:
    """Let this thread's SQLite statements through the triggers (the test flush)."""
    token = _maintenance.set(True)
    try:
        yield
    finally:
        _maintenance.reset(token)


def register_sqlite_function(sender, connection: BaseDatabaseWrapper, **kwargs) -> None:
    """connection_created receiver."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("xiuhua_maintenance", 0, lambda: int(_maintenance.get()))


PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION xiuhua_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND TG_ARGV[0] = 'retention'
     AND OLD.at < now() - interval '{RETENTION_FLOOR_DAYS} days' THEN
    RETURN OLD;
  END IF;
  IF TG_OP = 'UPDATE' AND TG_ARGV[0] = 'retention' AND NEW.actor_id IS NULL
     AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '{MESSAGE}（%：%）', TG_TABLE_NAME, TG_OP;
END
$$;
"""


def _pg_statements(table: str) -> list[str]:
    _clear_actor, retention = TABLES[table]
    arg = "retention" if retention else "never"
    return [
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION xiuhua_append_only('{arg}')",
    ]


def _sqlite_statements(table: str, columns: list[str]) -> list[str]:
    clear_actor, retention = TABLES[table]
    update_when = "NOT xiuhua_maintenance()"
    if clear_actor:
        same = " AND ".join(f'NEW."{c}" IS OLD."{c}"' for c in columns if c != "actor_id")
        update_when += f" AND NOT (NEW.actor_id IS NULL AND {same})"
    delete_when = "NOT xiuhua_maintenance()"
    if retention:
        delete_when += f" AND OLD.at >= datetime('now', '-{RETENTION_FLOOR_DAYS} days')"
    raise_ = f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_update",
        f"DROP TRIGGER IF EXISTS {table}_no_delete",
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} WHEN {update_when} {raise_}",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} WHEN {delete_when} {raise_}",
    ]


def install(connection: BaseDatabaseWrapper, tables: list[str] | None = None) -> None:
    """Create (or re-create) the triggers; idempotent."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(PG_FUNCTION)
        for table in list(TABLES) if tables is None else tables:
            if table not in connection.introspection.table_names(cursor):
                continue
            if connection.vendor == "postgresql":
                statements = _pg_statements(table)
            else:
                # Every column but the actor, as the table is now (a later column is covered at the next install).
                columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
                statements = _sqlite_statements(table, columns)
            for sql in statements:
                cursor.execute(sql)


def uninstall(connection: BaseDatabaseWrapper, tables: list[str] | None = None) -> None:
    with connection.cursor() as cursor:
        for table in list(TABLES) if tables is None else tables:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")


def missing(connection: BaseDatabaseWrapper) -> list[str]:
    """Tables whose triggers are gone (SQLite drops them when a migration rebuilds the table)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
            present = {row[0] for row in cursor.fetchall()}
            return [t for t in TABLES if f"{t}_append_only" not in present]
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {row[0] for row in cursor.fetchall()}
        return [t for t in TABLES if not {f"{t}_no_update", f"{t}_no_delete"} <= present]


def install_after_migrate(sender, using: str = "default", **kwargs) -> None:
    """post_migrate receiver: a later migration that rebuilds a table on SQLite drops its triggers."""
    from django.db import connections

    connection = connections[using]
    if sender.name == "xiuhua.core" and missing(connection):
        with connection.cursor() as cursor:
            # Only tables whose chain migration is applied (a backwards migration may have removed it).
            chained = [
                table
                for table in TABLES
                if table in connection.introspection.table_names(cursor)
                and "hash" in {c.name for c in connection.introspection.get_table_description(cursor, table)}
            ]
        install(connection, chained)
