"""Django for a benchmark script: a fresh temporary folder (database, media), the settings loaded."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def configure(name: str, database_url: str = "", **environ: str) -> Path:
    """Set up Django on a new folder `xiuhua-bench-<name>-…` (SQLite there unless `database_url`); returns it.

    `environ` sets more XIUHUA_… variables before the settings load (e.g. XIUHUA_OVERVIEW_CACHE_SECONDS="0").
    """
    workdir = Path(tempfile.mkdtemp(prefix=f"xiuhua-bench-{name}-"))
    os.environ["XIUHUA_VAR_DIR"] = str(workdir)
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiuhua.platform.settings")
    os.environ.setdefault("XIUHUA_LOG_LEVEL", "WARNING")
    os.environ.update(environ)
    try:
        import xiuhua  # noqa: F401
    except ImportError:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    return workdir
