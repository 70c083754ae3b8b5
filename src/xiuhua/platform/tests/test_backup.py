"""Backup and restore round-trip a demo city: every table's rows, a case's timeline, its photo bytes, and no key."""

import json
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from xiuhua.cases.models import CaseAttachment
from xiuhua.cases.tests.conftest import Loop, People, photo
from xiuhua.core import crypto
from xiuhua.platform import backup as backups

# pg_dump and SQLite's backup API read from another session: the data must be committed, and the rows the
# migrations seed must come back after each test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TIMELINE = (
    "SELECT action, actor_id, from_status, to_status, at, note FROM cases_caseevent WHERE case_id = %s ORDER BY id"
)


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def city(demo_city, media):
    """The demo city with a few cases and photos, committed (pg_dump and SQLite's backup read other sessions)."""
    from xiuhua.territory.models import UnitGrid

    centre = UnitGrid.objects.order_by("code").first().geometry.representative_point()
    loop = Loop(People(), (centre.x, centre.y))
    handled = loop.to_handled(reporter_name="欧阳娜娜", reporter_phone="13957312345")
    loop.report_by_inspector()
    loop.report(reporter_phone="13900000001")
    return handled


@pytest.fixture
def target_url(tmp_path):
    """A database beside the live one to restore into: a new SQLite file, or a new PostgreSQL database."""
    live = connections["default"]
    if live.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    s = live.settings_dict
    name = f"{s['NAME']}_restore_{uuid.uuid4().hex[:6]}"
    with live.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{name}"
    with live.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def timeline(conn, case_id: int) -> list[tuple]:
    with conn.cursor() as cursor:
        cursor.execute(TIMELINE, [case_id])
        return cursor.fetchall()


def test_a_backup_restores_beside_the_live_database_with_every_row_timeline_and_photo(city, target_url, tmp_path):
    attachment = CaseAttachment.objects.filter(case=city).order_by("id").first()
    original_photo = attachment.file.read()
    call_command("backup", str(tmp_path / "bk"))
    restored_media = tmp_path / "restored-media"
    call_command("restore", str(tmp_path / "bk"), database_url=target_url, media_root=str(restored_media))

    live = connections["default"]
    with backups.database(target_url) as restored:
        assert backups.row_counts(restored) == backups.row_counts(live)
        assert sum(backups.row_counts(restored).values()) > 1000
        assert timeline(restored, city.pk) == timeline(live, city.pk) and len(timeline(live, city.pk)) >= 5
        with restored.cursor() as cursor:
            cursor.execute("SELECT reporter_phone FROM cases_case WHERE id = %s", [city.pk])
            assert crypto.decrypt(cursor.fetchone()[0]) == "13957312345"
    assert (restored_media / attachment.file.name).read_bytes() == original_photo == photo().read()


def test_a_backup_has_a_manifest_and_holds_no_key(city, tmp_path):
    (Path(settings.MEDIA_ROOT) / "data_key").write_text(settings.XIUHUA_DATA_KEY)  # misplaced by an operator
    call_command("backup", str(tmp_path / "bk"))
    manifest = json.loads((tmp_path / "bk" / "manifest.json").read_text())
    assert manifest["database"]["vendor"] == connections["default"].vendor
    assert "0012_encrypt_reporter_contacts" in manifest["migrations"]["cases"]
    assert manifest["tables"]["cases_case"] == 3 and manifest["created_at"].endswith("+00:00")
    files = sorted(p for p in (tmp_path / "bk").rglob("*") if p.is_file() and p.name != "manifest.json")
    assert sorted(manifest["files"]) == [p.relative_to(tmp_path / "bk").as_posix() for p in files]
    keys = [settings.XIUHUA_DATA_KEY.encode(), settings.SECRET_KEY.encode()]
    for path in files:
        content = path.read_bytes()
        assert not any(key in content for key in keys), path
        assert "key" not in path.name


def test_restore_refuses_a_changed_file_naming_it_before_writing_anything(city, target_url, tmp_path):
    call_command("backup", str(tmp_path / "bk"))
    changed = next((tmp_path / "bk" / "media").rglob("*.jpg"))
    changed.write_bytes(changed.read_bytes() + b"x")
    with pytest.raises(CommandError, match=f"{changed.name}.*校验失败"):
        call_command("restore", str(tmp_path / "bk"), database_url=target_url, media_root=str(tmp_path / "m2"))
    with backups.database(target_url) as target, target.cursor() as cursor:
        assert target.introspection.table_names(cursor) == []
    assert not (tmp_path / "m2").exists()


def test_restore_refuses_a_database_that_is_not_empty(city, tmp_path):
    call_command("backup", str(tmp_path / "bk"))
    with pytest.raises(CommandError, match="不是空的"):
        call_command("restore", str(tmp_path / "bk"), media_root=str(tmp_path / "m2"))


def test_backup_refuses_a_directory_that_is_not_empty(tmp_path):
    (tmp_path / "bk").mkdir()
    (tmp_path / "bk" / "old.txt").write_text("x")
    with pytest.raises(CommandError, match="不是空的"):
        call_command("backup", str(tmp_path / "bk"))


def test_a_missing_postgresql_client_names_the_package(monkeypatch):
    monkeypatch.setattr(backups.shutil, "which", lambda name: None)
    with pytest.raises(backups.BackupError, match="postgresql-client"):
        backups.pg_tool("pg_dump")
