"""The case page's map data: the case's point and unit grid as GeoJSON, for users who may see the case."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse

from xiuhua.cases import queries
from xiuhua.cases.place import case_place
from xiuhua.core.errors import NotFound


@login_required
def case_place_geojson(request: HttpRequest, number: str) -> JsonResponse:
    """A case outside the user's data scope is "not found" here too, as on the case page."""
    try:
        case = queries.case_for(request.user, number)
    except NotFound as exc:
        return JsonResponse({"detail": exc.message, "code": "not_found"}, status=404)
    response = JsonResponse(case_place(request.user, case), content_type="application/geo+json")
    response["Cache-Control"] = "private, max-age=300"
    return response
