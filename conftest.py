"""Shared pytest fixtures: a small deterministic demo city built by the real generator."""

import pytest


def pytest_configure(config):
    # Demo accounts are created and logged in by most tests; PBKDF2's deliberate slowness (~0.3 s a hash) would
    # dominate the suite. No test is about how passwords are hashed.
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Locked logins are answered after a pause (a guesser's brake); lockout tests would wait it out at every try.
    # test_lockout checks the pause itself.
    settings.XIUHUA_LOCKED_ANSWER_DELAY = 0
    # Quiet hours and the hourly ceiling would make a test's outcome depend on the hour it runs (an SMS queued at
    # 21:00 Shanghai time is held until morning) and hold a channel test's eleventh message: off unless a test
    # switches them on (notify/tests/test_routing.py).
    settings.XIUHUA_MESSAGE_QUIET_HOURS = ""
    settings.XIUHUA_MESSAGE_HOURLY_CEILING = 0
    _client_login_passes_a_request()
    _serialized_rollback_inserts_in_batches()


def _client_login_passes_a_request():
    """django-axes needs the request in authenticate(); its documented way for the test client is
    `client.login(request=HttpRequest(), ...)`. Doing it here once keeps `client.login(username=..., password=...)`
    working in every test (lockout stays on: a locked account still fails to log in this way)."""
    from django.http import HttpRequest
    from django.test import Client

    login = Client.login

    def login_with_request(self, **credentials):
        credentials.setdefault("request", HttpRequest())
        return login(self, **credentials)

    Client.login = login_with_request


def _serialized_rollback_inserts_in_batches():
    """Restore a transactional test's migration data (catalogue, 24 years of work calendar: ~9,600 rows) with a
    few multi-row INSERTs per table instead of an UPDATE and an INSERT per row (~10 s a test on PostgreSQL).

    The rows, their values and the signals are those of Django's `deserialize_db_from_string`: each object is
    inserted raw (as `DeserializedObject.save()` does: no field's `pre_save`, e.g. `auto_now`), with its
    pre_save/post_save (raw=True, created=True) sent. A table that is not empty (the first transactional test
    runs on the migrations' rows), a model with many-to-many values, parents, `order_with_respect_to` or an
    object without a primary key goes Django's own way, object by object."""
    from io import StringIO

    from django.core import serializers
    from django.db import transaction
    from django.db.backends.base.creation import BaseDatabaseCreation
    from django.db.models.signals import post_save, pre_save

    def restore(objects, alias, connection) -> None:
        model = type(objects[0].object)
        meta = model._meta
        if (
            meta.parents
            or meta.order_with_respect_to
            or any(o.m2m_data or o.object.pk is None for o in objects)
            or model._base_manager.using(alias).exists()
        ):
            for o in objects:
                o.save()
            return
        rows = [o.object for o in objects]
        signals = pre_save.has_listeners(model) or post_save.has_listeners(model)
        if signals:
            for row in rows:
                pre_save.send(sender=model, instance=row, raw=True, using=alias, update_fields=None)
        fields = [f for f in meta.local_concrete_fields if not f.generated]
        size = max(1, connection.ops.bulk_batch_size(fields, rows) or len(rows))
        for start in range(0, len(rows), size):
            model._base_manager._insert(rows[start : start + size], fields=fields, using=alias, raw=True)
        for row in rows:
            row._state.adding, row._state.db = False, alias
            if signals:
                post_save.send(sender=model, instance=row, created=True, update_fields=None, raw=True, using=alias)

    def deserialize_db_from_string(self, data):
        alias, table_names, same_model = self.connection.alias, set(), []
        with transaction.atomic(using=alias):
            with self.connection.constraint_checks_disabled():
                for obj in serializers.deserialize("json", StringIO(data), using=alias):
                    if same_model and type(obj.object) is not type(same_model[0].object):
                        restore(same_model, alias, self.connection)
                        same_model = []
                    same_model.append(obj)
                    table_names.add(obj.object._meta.db_table)
                if same_model:
                    restore(same_model, alias, self.connection)
            self.connection.check_constraints(table_names=table_names)

    BaseDatabaseCreation.deserialize_db_from_string = deserialize_db_from_string


@pytest.fixture(autouse=True)
def _fresh_reference_data():
    """Each test's database is rolled back under the per-process reference-data memo: start each test empty."""
    from xiuhua.core import refcache

    refcache.clear()
    yield
    refcache.clear()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty default cache. With a shared cache (CI runs once with XIUHUA_CACHE_URL on
    Redis) entries would otherwise outlive their test: cached figures, throttling counters, generation numbers."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="module")
def module_media(tmp_path_factory):
    """One media root for a module whose shared data, built once per module, stores files (photos, a report file):
    written once before any test runs, seen by each test of the module."""
    from django.test import override_settings

    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture
def demo_city(db):
    """A small Haiyan demo district (≈120 grids, 600 components) with departments and users."""
    from xiuhua.platform.demo import build_demo_city
    from xiuhua.territory.services import forget_grid_index

    forget_grid_index()
    city = build_demo_city(grids=120, components=600, seed=7)
    yield city
    forget_grid_index()


def _forget_city_caches() -> None:
    """The process's memos of a city (grid index, outlines, components snapshot): a test starts cold with them."""
    from xiuhua.catalog.mapview import forget_snapshot
    from xiuhua.territory.mapview import forget_outlines
    from xiuhua.territory.services import forget_grid_index

    forget_grid_index()
    forget_outlines()
    forget_snapshot()


@pytest.fixture(scope="module")
def module_demo_city(django_db_setup, django_db_blocker):
    """`demo_city`'s city built once for a module (as `setUpTestData`), for a module that overrides `demo_city`
    with `shared_demo_city` because every test of it uses the city and none is transactional.

    It is written inside a transaction held open for the module and rolled back after its last test; each test
    runs in a savepoint of it, so no test sees another's writes."""
    from django.db import transaction

    from xiuhua.platform.demo import build_demo_city

    with django_db_blocker.unblock(), transaction.atomic():
        _forget_city_caches()
        city = build_demo_city(grids=120, components=600, seed=7)
        yield city
        transaction.set_rollback(True)
        _forget_city_caches()


@pytest.fixture
def shared_demo_city(db, module_demo_city):
    """The module's one demo city, with the process's memos of it forgotten around each test (as a new city)."""
    _forget_city_caches()
    yield module_demo_city
    _forget_city_caches()


@pytest.fixture
def api_token(demo_city, client):
    """A bearer token for the demo `admin` account."""
    from django.conf import settings

    response = client.post(
        "/api/v1/auth/token",
        {"username": "admin", "password": settings.DEMO_PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]
