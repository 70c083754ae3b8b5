"""Benchmark: locating reported points in unit grids with xiuhua.geo.index.GridIndex.

Builds ~100 m unit-grid polygons in a regular layout near 120.94E 30.52N (vertices jittered on a
shared lattice, so the tiling stays gap- and overlap-free), draws random points in the extent,
and prints one JSON object:

  * build time of GridIndex;
  * the vectorised path (locate_many_indices) over all points, with the default thread count,
    with one thread, and with the bucket grid disabled (one STRtree query per chunk);
  * a naive per-point Python loop over all prepared polygons, on a small sample only, and a
    fairer per-point loop using GridIndex.locate (one tree query per point) on a larger sample;
    both are extrapolated to all points (keys say "sampled" / "extrapolated");
  * peak memory: tracemalloc (Python and numpy allocations, not GEOS) and ru_maxrss;
  * whether the vectorised answers agree with both loops on their samples ("agree"), and with
    the one-thread and STRtree-only vectorised runs on all points.

Usage: python bench/locate.py --grids 50000 --points 1000000 --seed 1

With --reverse-geocoding it measures reverse geocoding instead (a database is needed; see
bench/locate_reverse.py): time per point with --addresses house numbers, and what it adds to one report:
    python bench/locate.py --reverse-geocoding --addresses 500000 --database-url postgres://…/xiuhua_bench
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pyproj
import shapely
from shapely.prepared import prep

try:
    import xiuhua  # noqa: F401
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from xiuhua.geo.index import GridIndex  # noqa: E402

LNG0, LAT0 = 120.94, 30.52
CELL_M = 100.0


def make_grids(count: int, seed: int, jitter: float) -> list[tuple[str, shapely.Polygon]]:
    """`count` quadrilaterals of ~100 m in a near-1.25:1 layout (250 x 200 for 50,000)."""
    ny = max(1, round(math.sqrt(count / 1.25)))
    nx = math.ceil(count / ny)
    dx = CELL_M / (111_320.0 * math.cos(math.radians(LAT0)))
    dy = CELL_M / 110_574.0
    rng = np.random.default_rng(seed)
    vx = LNG0 + (np.arange(nx + 1)[None, :] + rng.uniform(-jitter, jitter, (ny + 1, nx + 1))) * dx
    vy = LAT0 + (np.arange(ny + 1)[:, None] + rng.uniform(-jitter, jitter, (ny + 1, nx + 1))) * dy
    iy, ix = np.divmod(np.arange(count), nx)
    corners = [(iy, ix), (iy, ix + 1), (iy + 1, ix + 1), (iy + 1, ix), (iy, ix)]
    rings = np.stack([np.stack([vx[a, b], vy[a, b]], axis=-1) for a, b in corners], axis=1)
    polygons = shapely.polygons(rings)
    return [(f"330481{i:09d}", polygon) for i, polygon in enumerate(polygons)]  # 15-char codes


def random_points(index: GridIndex, count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    xmin, ymin, xmax, ymax = index.bounds
    rng = np.random.default_rng(seed + 1)
    return rng.uniform(xmin, xmax, count), rng.uniform(ymin, ymax, count)


def best_time(func, repeat: int) -> tuple[float, object]:
    best, result = math.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def naive_loop(items: list[tuple[str, shapely.Polygon]], xs: np.ndarray, ys: np.ndarray) -> list[int]:
    """No spatial index: test every prepared polygon in order until the first hit."""
    prepared = [prep(polygon) for _, polygon in items]
    out = []
    for x, y in zip(xs, ys, strict=True):
        point = shapely.Point(x, y)
        out.append(next((i for i, p in enumerate(prepared) if p.intersects(point)), -1))
    return out


def peak_memory(items: list[tuple[str, shapely.Polygon]], xs: np.ndarray, ys: np.ndarray) -> dict:
    """tracemalloc sees Python and numpy allocations of a fresh build + one run, not GEOS memory."""
    tracemalloc.start()
    GridIndex(items).locate_many_indices(xs, ys)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "tracemalloc_peak_mb_build_and_locate_all": round(peak / 2**20, 1),
        "ru_maxrss_mb_whole_benchmark_process": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def run(args: argparse.Namespace) -> dict:
    items = make_grids(args.grids, args.seed, args.jitter)
    build_s, index = best_time(lambda: GridIndex(items), args.repeat)
    xs, ys = random_points(index, args.points, args.seed)

    vec_s, answer = best_time(lambda: index.locate_many_indices(xs, ys), args.repeat)
    single = GridIndex(items, workers=1)
    single_s, single_answer = best_time(lambda: single.locate_many_indices(xs, ys), args.repeat)
    tree_only = GridIndex(items, accelerate=False)
    tree_vec_s, tree_vec_answer = best_time(lambda: tree_only.locate_many_indices(xs, ys), 1)

    n_tree = min(args.tree_points, args.points)
    start = time.perf_counter()
    tree_answer = [index.locate_index(x, y) for x, y in zip(xs[:n_tree], ys[:n_tree], strict=True)]
    tree_s = time.perf_counter() - start

    n_naive = min(args.naive_points, args.points)
    start = time.perf_counter()
    naive_answer = naive_loop(items, xs[:n_naive], ys[:n_naive])
    naive_s = time.perf_counter() - start

    agree = answer[:n_tree].tolist() == tree_answer and answer[:n_naive].tolist() == naive_answer
    agree_all = np.array_equal(answer, single_answer) and np.array_equal(answer, tree_vec_answer)
    return {
        "grids": args.grids,
        "points": args.points,
        "seed": args.seed,
        "vertex_jitter_cells": args.jitter,
        "points_in_a_grid": int((answer >= 0).sum()),
        "build_seconds": round(build_s, 4),
        "vectorised_workers": index.workers,
        "vectorised_seconds": round(vec_s, 4),
        "vectorised_points_per_second": round(args.points / vec_s),
        "vectorised_single_thread_seconds": round(single_s, 4),
        "vectorised_single_thread_points_per_second": round(args.points / single_s),
        "strtree_only_vectorised_seconds": round(tree_vec_s, 4),
        "strtree_only_vectorised_points_per_second": round(args.points / tree_vec_s),
        "tree_loop_sampled_points": n_tree,
        "tree_loop_sampled_seconds": round(tree_s, 4),
        "tree_loop_points_per_second": round(n_tree / tree_s),
        "tree_loop_extrapolated_seconds_for_all_points": round(tree_s / n_tree * args.points, 2),
        "naive_loop_sampled_points": n_naive,
        "naive_loop_sampled_seconds": round(naive_s, 4),
        "naive_loop_points_per_second": round(n_naive / naive_s, 1),
        "naive_loop_extrapolated_seconds_for_all_points": round(naive_s / n_naive * args.points, 1),
        "speedup_vs_tree_loop": round((tree_s / n_tree) / (vec_s / args.points), 1),
        "speedup_vs_naive_loop": round((naive_s / n_naive) / (vec_s / args.points)),
        "agree": bool(agree),
        "agree_all_points_single_thread_and_strtree_only": bool(agree_all),
        **peak_memory(items, xs, ys),
        "timing": f"best of {args.repeat} for build and vectorised runs; STRtree-only and loops run once",
        "environment": {
            "python": platform.python_version(),
            "shapely": shapely.__version__,
            "geos": shapely.geos_version_string,
            "numpy": np.__version__,
            "pyproj": pyproj.__version__,
            "cpu_count": os.cpu_count(),
        },
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grids", type=int, default=50_000)
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jitter", type=float, default=0.2, help="vertex jitter, in cells (< 0.5)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tree-points", type=int, default=50_000, help="sample for the GridIndex.locate loop")
    parser.add_argument("--naive-points", type=int, default=2_000, help="sample for the no-index loop")
    parser.add_argument("--reverse-geocoding", action="store_true", help="measure point → address instead")
    parser.add_argument("--addresses", type=int, default=500_000, help="house numbers (--reverse-geocoding)")
    parser.add_argument("--samples", type=int, default=2_000, help="points timed (--reverse-geocoding)")
    parser.add_argument("--reports", type=int, default=200, help="reports per variant (--reverse-geocoding)")
    parser.add_argument("--database-url", default="", help="(--reverse-geocoding) default: SQLite in a temp dir")
    args = parser.parse_args(argv)
    if args.reverse_geocoding:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from locate_reverse import run as run_reverse

        args.grids = args.grids if "--grids" in (argv or sys.argv) else 500
        print(json.dumps(run_reverse(args), ensure_ascii=False, indent=2))
        return
    if not 0 <= args.jitter < 0.5:
        parser.error("--jitter must be in [0, 0.5) to keep the grids from overlapping")
    print(json.dumps(run(args), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
