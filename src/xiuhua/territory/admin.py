from django.contrib import admin

from xiuhua.core.admin_geometry import GeometryPreviewMixin
from xiuhua.core.admin_import import BaseDataImportMixin
from xiuhua.territory.importers import (
    division_template,
    export_divisions,
    export_grids,
    grid_template,
    import_divisions,
    import_grids,
)
from xiuhua.territory.models import Division, DutyGrid, GridChief, Road, StreetAddress, UnitGrid

GEOMETRY_FIELDS = ("geometry_preview", "min_lng", "min_lat", "max_lng", "max_lat", "updated_at")
GEO_FORMATS = ("geojson", "shp")


@admin.register(Division)
class DivisionAdmin(BaseDataImportMixin, GeometryPreviewMixin, admin.ModelAdmin):
    importer = import_divisions
    exporter = export_divisions
    template_exporter = division_template
    template_formats = GEO_FORMATS
    list_display = ("code", "name", "level", "parent", "area_m2")
    list_filter = ("level",)
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)
    readonly_fields = GEOMETRY_FIELDS


@admin.register(UnitGrid)
class UnitGridAdmin(BaseDataImportMixin, GeometryPreviewMixin, admin.ModelAdmin):
    importer = import_grids
    exporter = export_grids
    template_exporter = grid_template
    template_formats = GEO_FORMATS
    list_display = ("code", "name", "community", "region_class", "area_m2", "valid_from", "valid_to")
    list_filter = ("region_class", "community__parent", "valid_to")
    search_fields = ("code", "name", "community__name")
    list_select_related = ("community",)
    raw_id_fields = ("community",)
    readonly_fields = GEOMETRY_FIELDS


@admin.register(Road)
class RoadAdmin(GeometryPreviewMixin, admin.ModelAdmin):
    list_display = ("code", "name", "kind", "subdistrict")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    readonly_fields = GEOMETRY_FIELDS


class GridChiefInline(admin.TabularInline):
    model = GridChief
    fields = ("role", "person_name", "phone", "place")
    extra = 0


@admin.register(DutyGrid)
class DutyGridAdmin(GeometryPreviewMixin, admin.ModelAdmin):
    list_display = ("code", "name", "community")
    search_fields = ("code", "name")
    raw_id_fields = ("community", "unit_grids")
    readonly_fields = GEOMETRY_FIELDS
    inlines = [GridChiefInline]


@admin.register(GridChief)
class GridChiefAdmin(admin.ModelAdmin):
    list_display = ("person_name", "role", "phone", "duty_grid", "place")
    list_filter = ("role",)
    search_fields = ("person_name", "phone", "place", "roads__name")
    raw_id_fields = ("duty_grid", "unit_grids", "roads")


@admin.register(StreetAddress)
class StreetAddressAdmin(admin.ModelAdmin):
    list_display = ("__str__", "road", "number", "lng", "lat", "unit_grid")
    search_fields = ("road__name", "number")
    list_select_related = ("road", "unit_grid")
    raw_id_fields = ("road", "unit_grid")
