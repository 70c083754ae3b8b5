"""The default cache: chosen from XIUHUA_CACHE_URL, shared by serve's processes, and cold figures computed once."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.cache import cache, caches
from django.core.exceptions import ImproperlyConfigured

from xiuhua.core.cache import cache_from_url, computed_once, share_default_cache


def test_the_cache_url_names_redis_a_directory_or_memory(tmp_path):
    assert cache_from_url("redis://127.0.0.1:6379/0")["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert cache_from_url("redis://127.0.0.1:6379/0")["LOCATION"] == "redis://127.0.0.1:6379/0"
    assert cache_from_url(f"file://{tmp_path}")["LOCATION"] == str(tmp_path)
    assert cache_from_url("")["BACKEND"].endswith("LocMemCache")
    with pytest.raises(ImproperlyConfigured, match="XIUHUA_CACHE_URL"):
        cache_from_url("memcached://127.0.0.1:11211")


def test_concurrent_requests_on_a_cold_cache_compute_the_figures_once():
    computations = []
    barrier = threading.Barrier(8)
    results = []

    def slow_figures() -> dict:
        computations.append(1)
        time.sleep(0.3)  # long enough for every other thread to arrive while it runs
        return {"today": 42}

    def request() -> None:
        barrier.wait()
        results.append(computed_once("test:figures", slow_figures, 30))

    threads = [threading.Thread(target=request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(computations) == 1
    assert results == [{"today": 42}] * 8
    assert computed_once("test:figures", slow_figures, 30) == {"today": 42} and len(computations) == 1


def test_a_waiting_request_computes_itself_when_the_lock_holder_is_gone():
    cache.add("test:stuck:computing", 1, timeout=60)  # a process died holding the lock
    started = time.monotonic()
    assert computed_once("test:stuck", lambda: "fresh", 30, wait=0.3) == "fresh"
    assert time.monotonic() - started < 5
    assert cache.get("test:stuck") == "fresh"


def test_a_failed_computation_releases_the_lock_for_the_next_request():
    def broken() -> str:
        raise RuntimeError("database away")

    with pytest.raises(RuntimeError):
        computed_once("test:broken", broken, 30)
    started = time.monotonic()
    assert computed_once("test:broken", lambda: "ok", 30) == "ok"
    assert time.monotonic() - started < 1  # no wait for a lock nobody holds


def test_several_serve_processes_share_a_file_cache_instead_of_one_memory_each(settings, tmp_path):
    settings.CACHES = {"default": cache_from_url("")}
    try:
        assert share_default_cache(tmp_path / "cache")
        cache.set("test:shared", "seen by every process", 30)
        # Another process opening the same directory reads it: a second backend instance stands in for it.
        other = caches.create_connection("default")
        assert other.get("test:shared") == "seen by every process"
        assert any((tmp_path / "cache").iterdir())
    finally:
        cache.clear()


def test_a_configured_shared_cache_is_left_as_it_is(settings, tmp_path):
    settings.CACHES = {"default": cache_from_url(f"file://{tmp_path / 'configured'}")}
    assert not share_default_cache(tmp_path / "cache")
    assert not (tmp_path / "cache").exists()
