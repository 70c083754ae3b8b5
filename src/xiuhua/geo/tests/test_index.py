"""GridIndex: which unit grid contains a point."""

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, box, mapping

from xiuhua.geo import index as index_module
from xiuhua.geo.geojson import InvalidGeometry
from xiuhua.geo.index import GridIndex

X0, Y0, STEP = 120.94, 30.52, 0.001


def _code(i: int) -> str:
    return f"33048110100{i:04d}"  # 15-character unit-grid code


def _grid(nx: int = 3, ny: int = 3) -> list[tuple[str, Polygon]]:
    """nx*ny touching squares, row by row from the south-west corner."""
    return [
        (_code(j * nx + i), box(X0 + i * STEP, Y0 + j * STEP, X0 + (i + 1) * STEP, Y0 + (j + 1) * STEP))
        for j in range(ny)
        for i in range(nx)
    ]


def _jittered_grid(nx: int, ny: int, seed: int = 3) -> list[tuple[int, Polygon]]:
    """Irregular quadrilaterals sharing jittered vertices: a gap- and overlap-free tiling."""
    rng = np.random.default_rng(seed)
    vx = X0 + (np.arange(nx + 1)[None, :] + rng.uniform(-0.3, 0.3, (ny + 1, nx + 1))) * STEP
    vy = Y0 + (np.arange(ny + 1)[:, None] + rng.uniform(-0.3, 0.3, (ny + 1, nx + 1))) * STEP
    items = []
    for j in range(ny):
        for i in range(nx):
            corners = [(j, i), (j, i + 1), (j + 1, i + 1), (j + 1, i)]
            items.append((j * nx + i, Polygon([(vx[a, b], vy[a, b]) for a, b in corners])))
    return items


def _reference(items, xs, ys) -> np.ndarray:
    """Brute force: lowest index whose polygon intersects the point."""
    out = np.full(len(xs), -1)
    for p, (x, y) in enumerate(zip(xs, ys, strict=True)):
        for i, (_, geom) in enumerate(items):
            if geom.intersects(Point(x, y)):
                out[p] = i
                break
    return out


def test_point_inside_a_grid_is_located():
    idx = GridIndex(_grid())
    assert idx.locate(X0 + 1.5 * STEP, Y0 + 0.5 * STEP) == _code(1)
    assert idx.locate_index(X0 + 2.5 * STEP, Y0 + 2.5 * STEP) == 8


def test_point_outside_every_grid_gives_none():
    idx = GridIndex(_grid())
    assert idx.locate(X0 - STEP, Y0) is None
    assert idx.locate_index(X0 + 10 * STEP, Y0) == -1


def test_point_on_shared_border_maps_to_exactly_one_grid():
    idx = GridIndex(_grid())
    border = (X0 + STEP, Y0 + 0.5 * STEP)  # between grid 0 and grid 1
    corner = (X0 + STEP, Y0 + STEP)  # where grids 0, 1, 3 and 4 meet
    assert idx.locate(*border) == _code(0)
    assert idx.locate(*corner) == _code(0)
    many = idx.locate_many([border[0], corner[0]], [border[1], corner[1]])
    assert many.tolist() == [_code(0), _code(0)]


def test_border_points_go_to_the_grid_listed_first():
    items = _grid()
    idx = GridIndex(list(reversed(items)))
    assert idx.locate(X0 + STEP, Y0 + 0.5 * STEP) == _code(1)
    assert idx.locate_many_indices([X0 + STEP], [Y0 + 0.5 * STEP]).tolist() == [7]


def test_point_on_the_outer_boundary_belongs_to_the_grid():
    idx = GridIndex(_grid())
    assert idx.locate(X0, Y0) == _code(0)
    assert idx.locate(X0 + 3 * STEP, Y0 + 3 * STEP) == _code(8)
    assert idx.locate_many([X0 + 3 * STEP], [Y0 + 3 * STEP]).tolist() == [_code(8)]


def test_locate_many_agrees_with_brute_force_including_borders_and_misses():
    items = _jittered_grid(12, 9)
    idx = GridIndex(items)
    rng = np.random.default_rng(11)
    xs = rng.uniform(X0 - 2 * STEP, X0 + 14 * STEP, 3000)
    ys = rng.uniform(Y0 - 2 * STEP, Y0 + 11 * STEP, 3000)
    # Shared vertices and midpoints of shared edges lie on borders.
    vertices = shapely.get_coordinates(shapely.boundary(idx.geometries))
    xs = np.concatenate([xs, vertices[:, 0], (vertices[:-1, 0] + vertices[1:, 0]) / 2])
    ys = np.concatenate([ys, vertices[:, 1], (vertices[:-1, 1] + vertices[1:, 1]) / 2])
    expected = _reference(items, xs, ys)
    assert (idx._buckets.owner >= 0).any()  # some cells are answered without a geometry test
    assert idx.locate_many_indices(xs, ys).tolist() == expected.tolist()
    assert [idx.locate_index(x, y) for x, y in zip(xs, ys, strict=True)] == expected.tolist()


def test_locate_many_returns_keys_and_none_for_misses_and_nan():
    idx = GridIndex(_grid())
    out = idx.locate_many([X0 + 0.5 * STEP, np.nan, X0 - 1.0], [Y0 + 0.5 * STEP, Y0, Y0])
    assert out.dtype == object
    assert out.tolist() == [_code(0), None, None]
    assert idx.locate(np.nan, np.nan) is None


def test_locate_many_keeps_the_input_shape_and_accepts_empty_input():
    idx = GridIndex(_grid())
    xs = np.full((2, 3), X0 + 0.5 * STEP)
    ys = np.full((2, 3), Y0 + 0.5 * STEP)
    assert idx.locate_many_indices(xs, ys).shape == (2, 3)
    assert idx.locate_many_indices([], []).shape == (0,)


def test_threaded_chunks_give_the_same_answer_as_one_thread(monkeypatch):
    monkeypatch.setattr(index_module, "_CHUNK", 1000)
    items = _jittered_grid(30, 20)
    rng = np.random.default_rng(5)
    xs = rng.uniform(X0, X0 + 30 * STEP, 10_500)
    ys = rng.uniform(Y0, Y0 + 20 * STEP, 10_500)
    single = GridIndex(items, workers=1).locate_many_indices(xs, ys)
    threaded = GridIndex(items, workers=2).locate_many_indices(xs, ys)
    assert threaded.tolist() == single.tolist()
    assert (single >= 0).mean() > 0.9


def test_tree_fallback_gives_the_same_answer_as_the_bucket_path():
    items = _jittered_grid(15, 10)
    idx = GridIndex(items)
    rng = np.random.default_rng(9)
    xs = rng.uniform(X0 - STEP, X0 + 16 * STEP, 5000)
    ys = rng.uniform(Y0 - STEP, Y0 + 11 * STEP, 5000)
    fast = idx.locate_many_indices(xs, ys)
    tree_only = GridIndex(items, accelerate=False)
    assert tree_only.locate_many_indices(xs, ys).tolist() == fast.tolist()


@pytest.mark.parametrize("district_first", [False, True])
def test_clustered_overlapping_and_mixed_size_polygons_are_located_correctly(district_first):
    far_town = [(f"far-{k}", shapely.affinity.translate(g, 2.0, 1.0)) for k, g in _grid(4, 4)]
    district = ("district", box(X0 - 0.5, Y0 - 0.5, X0 + 0.5, Y0 + 0.5))
    items = [district, *_grid(4, 4), *far_town] if district_first else [*_grid(4, 4), *far_town, district]
    idx = GridIndex(items)
    rng = np.random.default_rng(2)
    xs = np.concatenate([rng.uniform(X0 - 0.6, X0 + 0.6, 1500), rng.uniform(X0 + 2, X0 + 2.005, 500)])
    ys = np.concatenate([rng.uniform(Y0 - 0.6, Y0 + 0.6, 1500), rng.uniform(Y0 + 1, Y0 + 1.005, 500)])
    assert idx.locate_many_indices(xs, ys).tolist() == _reference(items, xs, ys).tolist()


def test_an_invalid_polygon_does_not_break_the_index():
    bowtie = Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])
    items = [("bowtie", bowtie), ("square", box(2, 0, 4, 2)), ("far", box(3, 3, 4, 4))]
    idx = GridIndex(items)
    xs, ys = np.array([1.5, 3.0, 0.5, 3.5, 2.0]), np.array([1.0, 1.0, 1.0, 3.5, 1.0])
    assert idx.locate_many_indices(xs, ys).tolist() == _reference(items, xs, ys).tolist()


def test_polygon_holes_and_multipolygons_are_respected():
    ring = Polygon(box(0, 0, 3, 3).exterior.coords, [box(1, 1, 2, 2).exterior.coords])
    pair = MultiPolygon([box(10, 0, 11, 1), box(12, 0, 13, 1)])
    idx = GridIndex([("ring", ring), ("pair", pair)])
    assert idx.locate(1.5, 1.5) is None
    assert idx.locate(0.5, 1.5) == "ring"
    assert idx.locate_many([12.5, 11.5], [0.5, 0.5]).tolist() == ["pair", None]


def test_keys_may_be_any_hashable_and_geojson_is_accepted():
    idx = GridIndex([((1, "a"), mapping(box(0, 0, 1, 1))), (42, box(1, 0, 2, 1))])
    assert idx.keys == ((1, "a"), 42)
    assert idx.locate_many([0.5, 1.5], [0.5, 0.5]).tolist() == [(1, "a"), 42]


def test_non_polygon_and_empty_geometries_are_refused():
    with pytest.raises(InvalidGeometry, match="不是面"):
        GridIndex([("line", shapely.LineString([(0, 0), (1, 1)]))])
    with pytest.raises(InvalidGeometry, match="为空"):
        GridIndex([("empty", Polygon())])


def test_bounds_cover_all_grids_and_an_empty_index_finds_nothing():
    idx = GridIndex(_grid())
    assert idx.bounds == pytest.approx((X0, Y0, X0 + 3 * STEP, Y0 + 3 * STEP))
    empty = GridIndex([])
    assert len(empty) == 0 and empty.bounds is None
    assert empty.locate(X0, Y0) is None
    assert empty.locate_many([X0], [Y0]).tolist() == [None]


def test_building_an_index_of_50000_grids_is_quick():
    nx, ny = 250, 200
    ix, iy = np.meshgrid(np.arange(nx), np.arange(ny))
    step = 0.001
    boxes = shapely.box(
        X0 + ix.ravel() * step, Y0 + iy.ravel() * step, X0 + (ix.ravel() + 1) * step, Y0 + (iy.ravel() + 1) * step
    )
    start = time.perf_counter()
    idx = GridIndex(zip(range(len(boxes)), boxes, strict=True))
    assert time.perf_counter() - start < 5.0
    assert idx.locate(X0 + 100.5 * step, Y0 + 50.5 * step) == 50 * nx + 100


_SHARED_BY_THREADS = textwrap.dedent("""
    import threading
    import numpy as np, shapely
    from xiuhua.geo import index as index_module

    # No owner cells, so that only the index's own locator warm-up protects the polygons.
    index_module._Buckets._owners = lambda self, b, g: np.full(self.nx * self.ny, -1, dtype=np.int32)
    rng = np.random.default_rng(0)
    for _ in range(5):
        centres = shapely.points(rng.uniform(0, 100, 3000), rng.uniform(0, 100, 3000))
        index = index_module.GridIndex(enumerate(shapely.buffer(centres, 1.0, quad_segs=32)), workers=1)
        xs, ys = rng.uniform(0, 100, 100_000), rng.uniform(0, 100, 100_000)
        barrier = threading.Barrier(8)

        def work():
            barrier.wait()
            index.locate_many_indices(xs, ys)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    print("ok")
""")


def test_one_index_can_be_used_by_many_threads_at_once():
    # Without building GEOS's lazy point locators up front this aborts the interpreter
    # ("double free or corruption"), hence a child process.
    src = str(Path(__file__).resolve().parents[3])
    env = {"PYTHONPATH": src, "PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", _SHARED_BY_THREADS], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"
