"""One way to show a list: sortable columns, pages, and the query string kept across both.

Views build a `Table` from a queryset and the request; the template `web/partials/table_head.html` draws the
header links and `web/partials/pagination.html` the pager, so every list in the platform behaves the same.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict

PER_PAGE = 25


@dataclass(frozen=True)
class Column:
    label: str
    sort: str = ""  # the order_by field; empty = not sortable
    css: str = ""
    # The fields a sort key stands for when it is not one field (e.g. urgency, then time); default: `sort`.
    order_by: tuple[str, ...] = ()
    title: str = ""  # a tooltip on the header, e.g. how a figure is computed


@dataclass
class Table:
    columns: list[Column]
    page: Page
    sort: str
    query: QueryDict
    headers: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rows(self):
        return self.page.object_list

    def page_url(self, number: int) -> str:
        query = self.query.copy()
        query["page"] = str(number)
        return "?" + query.urlencode()


def build_table(
    request: HttpRequest, queryset: QuerySet, columns: list[Column], default_sort: str, per_page: int = PER_PAGE
) -> Table:
    """The requested page of `queryset`, ordered by the `sort` parameter when it names a sortable column."""
    fields = {column.sort: column.order_by or (column.sort,) for column in columns if column.sort}
    sort = request.GET.get("sort", default_sort)
    if sort.lstrip("-") not in fields:
        sort = default_sort
    descending = sort.startswith("-")
    order = [f"-{name}" if descending else name for name in fields.get(sort.lstrip("-"), (sort.lstrip("-"),))]
    ordered = queryset.order_by(*order, "-pk" if descending else "pk")
    paginator = Paginator(ordered, per_page)
    page = paginator.get_page(request.GET.get("page"))
    table = Table(columns, page, sort, request.GET.copy())
    table.headers = [_header(column, sort, request.GET) for column in columns]
    return table


def list_table(request: HttpRequest, rows: list, columns: list[Column], per_page: int = PER_PAGE) -> Table:
    """The requested page of rows already in their order (e.g. a ranking): pages, no sorting."""
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    table = Table(columns, page, "", request.GET.copy())
    table.headers = [_header(column, "", request.GET) for column in columns]
    return table


def sorted_list_table(
    request: HttpRequest,
    rows: list,
    columns: list[Column],
    keys: Mapping[str, Callable[[Any], Any]],
    default_sort: str,
    per_page: int = PER_PAGE,
    render: Callable[[list], list] | None = None,
) -> Table:
    """Rows computed in Python (e.g. a ranking) sorted by the `sort` parameter and paged on the server.

    `keys` maps each sortable column's `sort` name to the value it sorts by; rows whose value is None go last in
    either direction. Only the requested page's rows are passed through `render` (the costly part of a big list).
    """
    sort = request.GET.get("sort", default_sort)
    if sort.lstrip("-") not in keys:
        sort = default_sort
    key = keys[sort.lstrip("-")]
    valued = [row for row in rows if key(row) is not None]
    valued.sort(key=key, reverse=sort.startswith("-"))  # stable: equal values keep the rows' given order
    ordered = valued + [row for row in rows if key(row) is None]
    page = Paginator(ordered, per_page).get_page(request.GET.get("page"))
    if render is not None:
        page.object_list = render(list(page.object_list))
    table = Table(columns, page, sort, request.GET.copy())
    table.headers = [_header(column, sort, request.GET) for column in columns]
    return table


def _header(column: Column, sort: str, query: QueryDict) -> dict[str, Any]:
    if not column.sort:
        return {"label": column.label, "css": column.css, "url": None, "direction": None, "title": column.title}
    current = sort.lstrip("-") == column.sort
    descending = current and sort.startswith("-")
    query = query.copy()
    query["sort"] = column.sort if descending else f"-{column.sort}" if current else column.sort
    query.pop("page", None)
    direction = ("desc" if descending else "asc") if current else None
    url = "?" + query.urlencode()
    return {"label": column.label, "css": column.css, "url": url, "direction": direction, "title": column.title}
