"""The territory: divisions, unit grids, roads, duty grids and their chiefs.

Geometries are stored as WKB (WGS84/CGCS2000 lng/lat) with a bounding box in plain columns, so the
embedded SQLite database needs no spatial extension and bbox filters use ordinary indexes.
"""

from functools import cached_property

import shapely
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from xiuhua.territory.choices import ChiefRole, DivisionLevel, RegionClass, RoadKind

GRID_CODE_PATTERN = r"^[0-9A-Z]{15}$"
grid_code_validator = RegexValidator(GRID_CODE_PATTERN, _("A unit grid code is 15 characters of 0-9 and A-Z."))
division_code_validator = RegexValidator(r"^(\d{6}|\d{9}|\d{12})$", _("A division code has 6, 9 or 12 digits."))


class GeometryModel(models.Model):
    """A feature with a lng/lat geometry stored as WKB plus its bounding box."""

    geometry_wkb = models.BinaryField(_("geometry (WKB)"), null=True, blank=True, editable=False)
    min_lng = models.FloatField(null=True, blank=True, editable=False)
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lng = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True

    @cached_property
    def geometry(self) -> shapely.Geometry | None:
        return shapely.from_wkb(bytes(self.geometry_wkb)) if self.geometry_wkb else None

    def set_geometry(self, geom: shapely.Geometry | None) -> None:
        self.__dict__.pop("geometry", None)
        if geom is None:
            self.geometry_wkb = None
            self.min_lng = self.min_lat = self.max_lng = self.max_lat = None
            return
        self.geometry_wkb = shapely.to_wkb(geom)
        self.min_lng, self.min_lat, self.max_lng, self.max_lat = geom.bounds


class Division(GeometryModel):
    """District, sub-district (town) or community (village) with its GB/T 2260 / statistical code."""

    code = models.CharField(_("code"), max_length=12, unique=True, validators=[division_code_validator])
    name = models.CharField(_("name"), max_length=60)
    level = models.CharField(_("level"), max_length=12, choices=DivisionLevel.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    area_m2 = models.FloatField(_("area (m²)"), null=True, blank=True)

    class Meta:
        verbose_name = _("division")
        verbose_name_plural = _("divisions")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class UnitGrid(GeometryModel):
    """A unit grid (单元网格), about 1 ha: the atom of location and evaluation."""

    code = models.CharField(_("code"), max_length=15, unique=True, validators=[grid_code_validator])
    name = models.CharField(_("name"), max_length=100, blank=True)
    community = models.ForeignKey(
        Division,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="unit_grids",
        limit_choices_to={"level": DivisionLevel.COMMUNITY},
    )
    area_m2 = models.FloatField(_("area (m²)"))
    region_class = models.PositiveSmallIntegerField(
        _("region class"), choices=RegionClass.choices, default=RegionClass.CLASS_ONE
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True, help_text=_("Empty while in use."))

    class Meta:
        verbose_name = _("unit grid")
        verbose_name_plural = _("unit grids")
        ordering = ["code"]
        indexes = [models.Index(fields=["min_lng", "max_lng", "min_lat", "max_lat"], name="unitgrid_bbox")]

    def __str__(self) -> str:
        return self.code


class Road(GeometryModel):
    """A road or lane; its chiefs answer for it, and addresses are numbered along it."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=60, db_index=True)
    kind = models.CharField(_("kind"), max_length=12, choices=RoadKind.choices, default=RoadKind.SECONDARY)
    subdistrict = models.ForeignKey(
        Division, verbose_name=_("sub-district"), null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("road")
        verbose_name_plural = _("roads")
        ordering = ["code"]
        # Reverse geocoding asks for the roads near a point by their bounding box.
        indexes = [models.Index(fields=["min_lat", "max_lat", "min_lng", "max_lng"], name="road_bbox")]

    def __str__(self) -> str:
        return self.name


class StreetAddress(models.Model):
    """A house number on a road (门牌): the street-address table that turns address text into a point."""

    road = models.ForeignKey(Road, verbose_name=_("road"), on_delete=models.CASCADE, related_name="addresses")
    number = models.PositiveIntegerField(_("house number"))
    lng = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    unit_grid = models.ForeignKey(
        "UnitGrid", verbose_name=_("unit grid"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("street address")
        verbose_name_plural = _("street addresses")
        ordering = ["road", "number"]
        constraints = [models.UniqueConstraint(fields=["road", "number"], name="street_address_unique")]
        # Reverse geocoding: the numbers in a small box round a point (a latitude range, then longitude).
        indexes = [models.Index(fields=["lat", "lng"], name="street_address_lat_lng")]

    def __str__(self) -> str:
        return f"{self.road.name}{self.number}号"


class DutyGrid(GeometryModel):
    """A responsibility grid (责任网格): a set of unit grids that one team patrols and answers for."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    community = models.ForeignKey(Division, verbose_name=_("community"), on_delete=models.PROTECT)
    unit_grids = models.ManyToManyField(UnitGrid, verbose_name=_("unit grids"), blank=True)

    class Meta:
        verbose_name = _("duty grid")
        verbose_name_plural = _("duty grids")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class GridChief(models.Model):
    """One of the 五长制 chiefs: the person answerable for an area, road, section, building or shop."""

    role = models.CharField(_("chief role"), max_length=10, choices=ChiefRole.choices)
    person_name = models.CharField(_("person"), max_length=50)
    phone = models.CharField(_("phone"), max_length=30)
    duty_grid = models.ForeignKey(
        DutyGrid, verbose_name=_("duty grid"), null=True, blank=True, on_delete=models.CASCADE, related_name="chiefs"
    )
    unit_grids = models.ManyToManyField(UnitGrid, verbose_name=_("unit grids"), blank=True)
    roads = models.ManyToManyField(Road, verbose_name=_("roads"), blank=True)
    place = models.CharField(_("building or shop"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("grid chief")
        verbose_name_plural = _("grid chiefs")
        ordering = ["role", "person_name"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.person_name}"
