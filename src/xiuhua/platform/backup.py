"""Backup and restore: a consistent copy of the database and the media files, with a manifest of checksums.

A backup directory holds `database.sqlite3` (SQLite online backup API) or `database.dump` (pg_dump custom format),
`media/` (a copy of MEDIA_ROOT) and `manifest.json`: when, which database vendor, the applied migrations, the row
count of every table and the SHA-256 of every file. It never holds the data key or the secret key: those stay in
the environment or in VAR_DIR beside (not inside) MEDIA_ROOT, and a key file found under MEDIA_ROOT is skipped.

PostgreSQL counts are taken in the same snapshot pg_dump reads (`pg_export_snapshot` + `--snapshot`), so the
manifest describes exactly what was dumped while the platform keeps taking reports.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import OperationalError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import load_backend

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
MEDIA_DIR = "media"
FORMAT = 1


class BackupError(Exception):
    """A backup or restore refused or failed; the message (Chinese) says which file or database and why."""


# -- the database as Django sees it ------------------------------------------------------------------------------


@contextmanager
def database(url: str | None = None) -> Iterator[BaseDatabaseWrapper]:
    """A connection to `url` (default: the configured database), closed afterwards.

    Built from the backend directly, not registered in `connections`: it is a one-off for this command.
    """
    if url is None:
        yield connections["default"]
        return
    import dj_database_url

    configured = connections.configure_settings({"default": dj_database_url.parse(url)})["default"]
    conn = load_backend(configured["ENGINE"]).DatabaseWrapper(configured, "xiuhua_backup_other")
    try:
        yield conn
    finally:
        conn.close()


def row_counts(conn: BaseDatabaseWrapper) -> dict[str, int]:
    quote = conn.ops.quote_name
    counts = {}
    with conn.cursor() as cursor:
        for table in sorted(conn.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def applied_migrations(conn: BaseDatabaseWrapper) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    with conn.cursor() as cursor:
        if "django_migrations" not in conn.introspection.table_names(cursor):
            return applied  # a database never migrated: nothing applied
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        for app, name in cursor.fetchall():
            applied.setdefault(app, []).append(name)
    return applied


# -- files --------------------------------------------------------------------------------------------------------


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def key_files() -> set[Path]:
    """Files that must never be in a backup: keep the key apart from the data it unlocks."""
    var = Path(settings.VAR_DIR)
    return {(var / name).resolve() for name in ("data_key", "data_key.previous", "secret_key")}


def copy_media(source: Path, target: Path) -> None:
    secret = key_files()
    for path in sorted(source.rglob("*")) if source.exists() else []:
        if path.is_file() and path.resolve() not in secret and not path.name.startswith("data_key"):
            destination = target / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)


# -- PostgreSQL client tools --------------------------------------------------------------------------------------


def pg_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"找不到 {name}：请安装 PostgreSQL 客户端（Debian/Ubuntu：apt-get install postgresql-client）"
        )
    return found


def pg_env(settings_dict: dict[str, Any]) -> dict[str, str]:
    """Connection parameters for pg_dump/pg_restore as environment variables: the password never on a command line."""
    env = dict(os.environ)
    pairs = {
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGDATABASE": settings_dict.get("NAME"),
        "PGSSLMODE": (settings_dict.get("OPTIONS") or {}).get("sslmode"),
    }
    env.update({name: str(value) for name, value in pairs.items() if value})
    return env


def run_pg(args: list[str], settings_dict: dict[str, Any]) -> None:
    done = subprocess.run(args, env=pg_env(settings_dict), capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} 失败（退出码 {done.returncode}）：{done.stderr.strip()[-2000:]}")


# -- backup -------------------------------------------------------------------------------------------------------


def backup(directory: Path) -> dict[str, Any]:
    """Write a backup into `directory` (new or empty); returns the manifest."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"备份目录 {directory} 不是空的：每次备份请用新目录（例如带日期的目录名）")
    # Owner-only: the copy holds everything the database does (descriptions, addresses, accounts).
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    conn = connections["default"]
    created_at = datetime.now(UTC).isoformat(timespec="seconds")
    if conn.vendor == "sqlite":
        counts, migrations = _backup_sqlite(conn, directory / SQLITE_FILE)
    elif conn.vendor == "postgresql":
        counts, migrations = _backup_postgresql(conn, directory / PG_FILE)
    else:
        raise BackupError(f"不支持备份 {conn.vendor} 数据库")
    copy_media(Path(settings.MEDIA_ROOT), directory / MEDIA_DIR)
    manifest = {
        "format": FORMAT,
        "created_at": created_at,
        "database": {"vendor": conn.vendor, "file": SQLITE_FILE if conn.vendor == "sqlite" else PG_FILE},
        "migrations": migrations,
        "tables": counts,
        "files": {
            path.relative_to(directory).as_posix(): sha256(path)
            for path in sorted(directory.rglob("*"))
            if path.is_file() and path.name != MANIFEST
        },
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    return manifest


def _backup_sqlite(conn: BaseDatabaseWrapper, target: Path) -> tuple[dict, dict]:
    # The online backup API copies a consistent image while other connections keep writing.
    with closing(sqlite3.connect(conn.settings_dict["NAME"])) as source, closing(sqlite3.connect(target)) as copy:
        source.backup(copy)
    with database(f"sqlite:///{target.resolve()}") as copy_conn:
        return row_counts(copy_conn), applied_migrations(copy_conn)


def _backup_postgresql(conn: BaseDatabaseWrapper, target: Path) -> tuple[dict, dict]:
    pg_dump = pg_tool("pg_dump")
    conn.ensure_connection()
    previous = conn.get_autocommit()
    conn.set_autocommit(False)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        counts, migrations = row_counts(conn), applied_migrations(conn)
        run_pg([pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={target}"], conn.settings_dict)
    finally:
        conn.rollback()
        conn.set_autocommit(previous)
    return counts, migrations


# -- restore ------------------------------------------------------------------------------------------------------


def read_manifest(directory: Path) -> dict[str, Any]:
    path = Path(directory) / MANIFEST
    if not path.exists():
        raise BackupError(f"{path} 不存在：这不是 xiuhua 备份目录")
    return json.loads(path.read_text())


def verify(directory: Path) -> dict[str, Any]:
    """Check every file against the manifest before anything is written."""
    manifest = read_manifest(directory)
    for name, expected in manifest["files"].items():
        path = Path(directory) / name
        if not path.is_file():
            raise BackupError(f"备份文件 {name} 缺失")
        if sha256(path) != expected:
            raise BackupError(f"备份文件 {name} 校验失败（SHA-256 与 manifest.json 不符）：文件已损坏或被改动")
    return manifest


def restore(directory: Path, database_url: str | None = None, media_root: Path | None = None) -> dict[str, int]:
    """Restore a verified backup into an empty database and media directory; returns the restored row counts."""
    directory = Path(directory)
    manifest = verify(directory)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    _refuse_media_conflicts(directory / MEDIA_DIR, media_root)
    with database(database_url) as target:
        vendor = manifest["database"]["vendor"]
        if target.vendor != vendor:
            raise BackupError(f"备份来自 {vendor} 数据库，目标是 {target.vendor}：请恢复到同类数据库")
        _refuse_non_empty(target)
        source = directory / manifest["database"]["file"]
        if vendor == "sqlite":
            target.close()
            with closing(sqlite3.connect(source)) as copy, closing(sqlite3.connect(target.settings_dict["NAME"])) as db:
                copy.backup(db)
        else:
            target.close()
            args = [pg_tool("pg_restore"), "--no-owner", "--exit-on-error", "--single-transaction"]
            run_pg([*args, f"--dbname={target.settings_dict['NAME']}", str(source)], target.settings_dict)
        counts = row_counts(target)
    copy_media(directory / MEDIA_DIR, media_root)
    differ = {t: (n, counts.get(t)) for t, n in manifest["tables"].items() if counts.get(t) != n}
    if differ:
        raise BackupError(f"恢复后的行数与备份清单不符（表：清单行数, 恢复行数）：{differ}")
    return counts


def _refuse_non_empty(target: BaseDatabaseWrapper) -> None:
    try:
        with target.cursor() as cursor:
            tables = target.introspection.table_names(cursor)
    except OperationalError as exc:
        raise BackupError(f"无法连接目标数据库 {target.settings_dict['NAME']}（请先建好空数据库）：{exc}") from exc
    if tables:
        name = target.settings_dict["NAME"]
        raise BackupError(f"目标数据库 {name} 不是空的（已有 {len(tables)} 张表）：恢复只写入新建的空数据库")


def _refuse_media_conflicts(source: Path, target: Path) -> None:
    for path in source.rglob("*") if source.exists() else []:
        existing = target / path.relative_to(source)
        if path.is_file() and existing.exists() and sha256(existing) != sha256(path):
            raise BackupError(f"媒体文件 {existing} 已存在且内容不同：请恢复到空的 MEDIA_ROOT")
