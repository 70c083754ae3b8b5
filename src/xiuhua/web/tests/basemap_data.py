"""A large district's components written in bulk (raw SQL), for the base-map browser test and bench/map_layers.py.

500,000 components as model instances take minutes to save; as rows they take seconds: PostgreSQL's COPY, or
one executemany on SQLite.
"""

from __future__ import annotations

import io
from datetime import date

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from xiuhua.catalog.models import CaseClass, Component
from xiuhua.territory.models import UnitGrid

CODE_PREFIX = "339999"  # a district code of its own, so the codes never meet the demo's
STATES = ("intact",) * 17 + ("damaged", "lost", "discarded")
COLUMNS = (
    "code",
    "name",
    "case_class_id",
    "lng",
    "lat",
    "unit_grid_id",
    "address",
    "state",
    "survey_date",
    "data_source",
    "note",
    "attributes",
    "updated_at",
)


def insert_components(grids: list[tuple[int, float, float, float, float]], per_grid: int, seed: int = 1) -> int:
    """`per_grid` components at random points of each (id, min_lng, min_lat, max_lng, max_lat) grid."""
    rng = np.random.default_rng(seed)
    classes = list(
        CaseClass.objects.filter(kind="component", active=True).order_by("code").values_list("id", "code", "name")[:12]
    )
    box = np.array([g[1:] for g in grids], dtype=np.float64).repeat(per_grid, axis=0)
    grid_ids = np.array([g[0] for g in grids], dtype=np.int64).repeat(per_grid)
    n = len(grid_ids)
    lng = box[:, 0] + rng.random(n) * (box[:, 2] - box[:, 0])
    lat = box[:, 1] + rng.random(n) * (box[:, 3] - box[:, 1])
    kind = rng.integers(0, len(classes), n)
    state = rng.integers(0, len(STATES), n)
    now, surveyed = timezone.now().isoformat(), date(2024, 3, 1).isoformat()
    rows = (
        (
            f"{CODE_PREFIX}{classes[k][1]}{i:06d}",
            classes[k][2],
            classes[k][0],
            round(float(x), 7),
            round(float(y), 7),
            int(g),
            "",
            STATES[s],
            surveyed,
            "实测",
            "",
            "{}",
            now,
        )
        for i, (x, y, g, k, s) in enumerate(zip(lng, lat, grid_ids, kind, state, strict=True))
    )
    table = Component._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:  # one commit, not one per row
        if connection.vendor == "postgresql":
            _copy(cursor, table, rows)
        else:
            marks = ",".join(["%s"] * len(COLUMNS))
            cursor.executemany(f"INSERT INTO {table} ({','.join(COLUMNS)}) VALUES ({marks})", list(rows))
    return n


def _copy(cursor, table: str, rows) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(str(v) for v in row) + "\n")
    buffer.seek(0)
    raw = cursor.cursor  # the psycopg cursor under Django's wrapper
    with raw.copy(f"COPY {table} ({','.join(COLUMNS)}) FROM STDIN") as copy:
        while chunk := buffer.read(1 << 20):
            copy.write(chunk)


def grid_boxes(**filters) -> list[tuple[int, float, float, float, float]]:
    return list(
        UnitGrid.objects.filter(**filters).order_by("id").values_list("id", "min_lng", "min_lat", "max_lng", "max_lat")
    )
