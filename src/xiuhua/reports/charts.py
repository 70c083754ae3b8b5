"""The PDF's charts, drawn with reportlab.graphics (vector drawings, no images fetched from anywhere).

trend lines, horizontal bars (classes, ranking scores), the hour × weekday heat map, and the map of the unit
grids coloured by their number of reports.
"""

from __future__ import annotations

import shapely
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Polygon, Rect, String
from reportlab.lib import colors

from xiuhua.reports.tables import figure_labels, weekday_names

WIDTH = 480
SERIES_COLOURS = [colors.HexColor(c) for c in ("#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de")]
EMPTY = colors.HexColor("#eeeeee")


def heat_colour(count: int, most: int) -> colors.Color:
    """White-yellow for few reports, red for the most; grey for none."""
    if not count or not most:
        return EMPTY
    share = count / most
    return colors.Color(1, 0.92 - 0.75 * share, 0.6 - 0.6 * share)


def trend_chart(report: dict, font: str) -> Drawing:
    labels = figure_labels()
    keys = ["reported", "registered", "closed"]
    drawing = Drawing(WIDTH, 200)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 40, 40, WIDTH - 150, 140
    chart.data = [[row[key] for row in report["trend"]] for key in keys]
    chart.categoryAxis.categoryNames = [row["period"] for row in report["trend"]]
    chart.categoryAxis.labels.fontName = chart.valueAxis.labels.fontName = font
    chart.valueAxis.valueMin = 0
    for i, colour in enumerate(SERIES_COLOURS[: len(keys)]):
        chart.lines[i].strokeColor = colour
        chart.lines[i].strokeWidth = 2
    legend = Legend()
    legend.x, legend.y, legend.fontName = WIDTH - 95, 170, font
    legend.colorNamePairs = [(SERIES_COLOURS[i], labels[key][0]) for i, key in enumerate(keys)]
    drawing.add(chart)
    drawing.add(legend)
    return drawing


def bar_chart(names: list[str], values: list[float], font: str) -> Drawing:
    """Horizontal bars, the first name at the top."""
    height = 30 + 18 * max(len(names), 1)
    drawing = Drawing(WIDTH, height)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 150, 15, WIDTH - 180, height - 25
    chart.data = [list(reversed(values)) or [0]]
    chart.categoryAxis.categoryNames = list(reversed(names)) or [""]
    chart.categoryAxis.labels.fontName = chart.valueAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = SERIES_COLOURS[0]
    drawing.add(chart)
    return drawing


def heat_map(matrix: list[list[int]], font: str) -> Drawing:
    cell_w, cell_h, left, bottom = 17, 16, 40, 20
    drawing = Drawing(left + 24 * cell_w + 10, bottom + 7 * cell_h + 10)
    most = max(max(row) for row in matrix)
    for day, (name, row) in enumerate(zip(weekday_names(), matrix, strict=True)):
        y = bottom + (6 - day) * cell_h
        drawing.add(String(4, y + 4, name, fontName=font, fontSize=8))
        for hour, count in enumerate(row):
            x = left + hour * cell_w
            drawing.add(Rect(x, y, cell_w, cell_h, fillColor=heat_colour(count, most), strokeColor=colors.white))
            if count:
                drawing.add(String(x + cell_w / 2, y + 4, str(count), fontName=font, fontSize=6, textAnchor="middle"))
    for hour in range(0, 24, 2):
        drawing.add(
            String(left + hour * cell_w + cell_w / 2, 6, str(hour), fontName=font, fontSize=7, textAnchor="middle")
        )
    return drawing


def grid_map(grids: list[tuple[str, bytes]], counts: dict[str, int], size: float = WIDTH) -> Drawing:
    """The unit grids (code, WKB) as polygons, coloured by reports; north up, equal scale on both axes."""
    codes, wkbs = zip(*grids, strict=True) if grids else ((), ())
    drawing = Drawing(size, size)
    if not codes:
        return drawing
    shapes = shapely.from_wkb(list(wkbs))
    min_x, min_y, max_x, max_y = shapely.total_bounds(shapes)
    scale = (size - 20) / max(max_x - min_x, max_y - min_y, 1e-9)
    most = max(counts.values(), default=0)
    for code, shape in zip(codes, shapes, strict=True):
        for polygon in getattr(shape, "geoms", [shape]):
            points = []
            for x, y in polygon.exterior.coords:
                points += [10 + (x - min_x) * scale, 10 + (y - min_y) * scale]
            colour = heat_colour(counts.get(code, 0), most)
            drawing.add(Polygon(points, fillColor=colour, strokeColor=colors.HexColor("#999999"), strokeWidth=0.3))
    return drawing
