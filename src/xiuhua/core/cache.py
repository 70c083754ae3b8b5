"""The default cache: where it lives (one process, a shared directory, or Redis) and figures computed once.

Several `xiuhua serve` worker processes must see one cache: cached figures are shared by everyone, and the
per-process memo of reference data is invalidated through a generation number kept in the default cache. With
`XIUHUA_CACHE_URL` unset and one process Django's per-process memory cache is enough; with several processes and
no URL, `xiuhua serve` moves the default cache into a directory under the data directory (`share_default_cache`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")
KEY_PREFIX = "xiuhua"
LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "xiuhua"}


def cache_from_url(url: str) -> dict[str, Any]:
    """Django's CACHES["default"] for `XIUHUA_CACHE_URL`: redis://, rediss://, unix:// (Redis), file:///dir, or
    locmem:// (one process); empty: the per-process memory cache."""
    scheme = urlsplit(url).scheme if url else "locmem"
    if scheme in ("redis", "rediss", "unix"):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": KEY_PREFIX}
    if scheme == "file":
        return file_cache(Path(urlsplit(url).path))
    if scheme == "locmem":
        return dict(LOCMEM)
    raise ImproperlyConfigured(
        f"XIUHUA_CACHE_URL 应以 redis://、rediss://、unix://、file:// 或 locmem:// 开头，收到「{url}」"
    )


def file_cache(directory: Path) -> dict[str, Any]:
    # Many small entries (a figure per scope, a generation number per table): a generous ceiling before culling.
    return {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(directory),
        "KEY_PREFIX": KEY_PREFIX,
        "OPTIONS": {"MAX_ENTRIES": 20000},
    }


def is_process_local(config: dict[str, Any]) -> bool:
    return config["BACKEND"].endswith("LocMemCache")


def share_default_cache(directory: Path) -> bool:
    """Move the default cache into `directory` if it is per process (before worker processes are forked).

    Returns whether it was moved. Settings are already loaded when a management command runs, so the cache
    handler is reset the way Django's own `setting_changed` receiver for CACHES does it (django.test.signals).
    """
    from asgiref.local import Local
    from django.conf import settings
    from django.core.cache import caches

    if not is_process_local(settings.CACHES["default"]):
        return False
    directory.mkdir(parents=True, exist_ok=True)
    settings.CACHES["default"] = file_cache(directory)
    caches._settings = caches.settings = caches.configure_settings(None)
    caches._connections = Local()
    return True


def computed_once(key: str, compute: Callable[[], T], max_age: int, wait: float = 30.0) -> T:
    """`compute()`, cached under `key` for `max_age` seconds; on a cold cache one caller computes, the others wait.

    Dashboards and big screens poll: when the figures expire, every process (and thread) asking at that moment
    would compute them at once. The first one takes a short lock (`cache.add` is atomic on Redis and in memory);
    the others poll the cache until the figures appear, and compute themselves only if the lock holder is gone
    (after `wait` seconds, when the lock expires too).
    """
    from django.core.cache import cache

    value = cache.get(key)
    if value is not None:
        return value
    lock = key + ":computing"
    deadline = time.monotonic() + wait
    delay = 0.01
    while not (locked := cache.add(lock, 1, timeout=int(wait) + 1)):
        time.sleep(delay)
        value = cache.get(key)
        if value is not None:
            return value
        if time.monotonic() >= deadline:
            break  # the holder died or is stuck: compute here rather than fail the page
        delay = min(delay * 2, 0.2)
    try:
        value = compute()
        cache.set(key, value, max_age)
        return value
    finally:
        if locked:
            cache.delete(lock)
