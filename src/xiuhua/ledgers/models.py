"""Archives (一户一档): the parties (当事人), the ledgers of who answers for what, and what enforcement did about them.

A `Subject` stands behind any number of ledger records, enforcement documents and credit events. Its identity
number (unified social credit code or ID card) is never stored in full: a keyed digest finds it again and the last
four characters let an officer recognise it; its phone is encrypted at rest, like a reporter's.

Each ledger is its own model on `LedgerRecord`, located by a point or a polygon and placed in the territory (unit
grid, community, sub-district, district) when saved through the services. Photos, the change history and
inspections refer to a record by (`LedgerKind`, id), so one table serves every ledger.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xiuhua.accounts.models import Department
from xiuhua.cases.models import Case
from xiuhua.core.fields import EncryptedTextField
from xiuhua.ledgers.choices import (
    BillboardCategory,
    BuildingStatus,
    CreditEventKind,
    CreditEventStatus,
    DeliveryMethod,
    DocumentKind,
    DocumentStatus,
    IdKind,
    InspectionResult,
    LedgerKind,
    PhotoStage,
    ShopKind,
    SiteKind,
    SubjectKind,
    ZoneKind,
)
from xiuhua.territory.models import Division, UnitGrid

USER = settings.AUTH_USER_MODEL
# Haiyan's rule: an illegal building built after October 2013 is "new" (新增违建), older ones are stock (存量).
NEW_BUILDING_SINCE = "2013-10-01"


class Subject(models.Model):
    """当事人: a person or an organisation; personal data (a person's name, phone, address, ID) is shown by the rule."""

    kind = models.CharField(_("kind"), max_length=12, choices=SubjectKind.choices)
    name = models.CharField(_("name"), max_length=200)
    id_kind = models.CharField(_("identity document"), max_length=12, choices=IdKind.choices, blank=True)
    id_digest = models.CharField(_("identity digest"), max_length=64, blank=True, db_index=True, editable=False)
    id_last4 = models.CharField(_("identity number, last four"), max_length=4, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=60, blank=True)
    phone = EncryptedTextField(_("phone"), max_length=40, blank=True)
    phone_digest = models.CharField(_("phone digest"), max_length=64, blank=True, db_index=True, editable=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    district = models.ForeignKey(Division, verbose_name=_("district"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.UniqueConstraint(
                fields=["id_kind", "id_digest"], condition=~models.Q(id_digest=""), name="ledgers_subject_identity"
            )
        ]

    def __str__(self) -> str:
        return self.name


class LedgerRecord(models.Model):
    """What every ledger record has: a number, a name, its party, where it is, and when it last changed."""

    code = models.CharField(_("ledger number"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    subject = models.ForeignKey(
        Subject, verbose_name=_("party"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    area_geojson = models.TextField(_("outline (GeoJSON)"), blank=True)
    unit_grid = models.ForeignKey(UnitGrid, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    grid_code = models.CharField(_("unit grid"), max_length=15, blank=True, db_index=True)
    community = models.ForeignKey(Division, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    subdistrict = models.ForeignKey(Division, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)
    active = models.BooleanField(_("active"), default=True)  # closed shops, removed signs stay in the archive
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    KIND: LedgerKind

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Shop(LedgerRecord):
    """沿街商铺 with its 门前三包 duty (frontage area, signed letter) and, for a restaurant, its fume purifier."""

    KIND = LedgerKind.SHOP
    kind = models.CharField(_("kind"), max_length=16, choices=ShopKind.choices, default=ShopKind.OTHER)
    road = models.CharField(_("road"), max_length=60, blank=True)
    # The person the shop's reminders go to (often the operator, not the registered party); personal data.
    contact_name = EncryptedTextField(_("contact"), max_length=60, blank=True)
    contact_phone = EncryptedTextField(_("contact phone"), max_length=40, blank=True)
    contact_phone_digest = models.CharField(max_length=64, blank=True, editable=False)
    # 门前三包: the duty area in front of the shop, as a polygon or as a length of road frontage.
    duty_area_geojson = models.TextField(_("duty area (GeoJSON)"), blank=True)
    duty_frontage_m = models.DecimalField(_("duty frontage (m)"), max_digits=7, decimal_places=1, null=True, blank=True)
    duty_letter_signed_on = models.DateField(_("duty letter signed on"), null=True, blank=True)
    fume_purifier = models.BooleanField(_("fume purifier installed"), null=True, blank=True)

    class Meta:
        verbose_name = _("street-front shop")
        verbose_name_plural = _("street-front shops")
        indexes = [models.Index(fields=["subdistrict", "road"], name="ledgers_shop_street")]


class Billboard(LedgerRecord):
    """户外广告/招牌, registered with its owner (the party), permit and safety inspections; 大型 ones 一案一档."""

    KIND = LedgerKind.BILLBOARD
    category = models.CharField(_("category"), max_length=16, choices=BillboardCategory.choices)
    permit_number = models.CharField(_("permit number"), max_length=40, blank=True)
    permit_expires_on = models.DateField(_("permit expires on"), null=True, blank=True)
    width_m = models.DecimalField(_("width (m)"), max_digits=6, decimal_places=2, null=True, blank=True)
    height_m = models.DecimalField(_("height (m)"), max_digits=6, decimal_places=2, null=True, blank=True)
    large = models.BooleanField(_("large facility"), default=False)
    last_safety_check_on = models.DateField(_("last safety inspection"), null=True, blank=True)
    hazardous = models.BooleanField(_("safety hazard"), default=False)

    class Meta:
        verbose_name = _("outdoor advertisement")
        verbose_name_plural = _("outdoor advertisements")


class IllegalBuilding(LedgerRecord):
    """违法建筑, with the dates of each status and photos before, during and after removal."""

    KIND = LedgerKind.ILLEGAL_BUILDING
    road = models.CharField(_("road"), max_length=60, blank=True)
    area_m2 = models.DecimalField(_("area (m²)"), max_digits=10, decimal_places=2)
    built_on = models.DateField(_("built on"), null=True, blank=True)
    use = models.CharField(_("current use"), max_length=60, blank=True)
    category = models.CharField(_("category"), max_length=30, blank=True)  # 铁皮棚, 阳光房, 加层 …
    households = models.PositiveSmallIntegerField(_("households"), default=1)
    status = models.CharField(_("status"), max_length=10, choices=BuildingStatus.choices, default=BuildingStatus.STOCK)
    found_on = models.DateField(_("found on"))
    status_on = models.DateField(_("status since"))  # the day it reached its current status (removed on …)
    plan_approved_on = models.DateField(_("plan approved on"), null=True, blank=True)

    class Meta:
        verbose_name = _("illegal building")
        verbose_name_plural = _("illegal buildings")


class Dog(LedgerRecord):
    """犬只 with its owner (the party), licence, chip and vaccination (免疫率、芯片植入率、办证率)."""

    KIND = LedgerKind.DOG
    breed = models.CharField(_("breed"), max_length=40)
    dangerous = models.BooleanField(_("large or dangerous breed"), default=False)
    licence_number = models.CharField(_("licence number"), max_length=40, blank=True)
    licence_expires_on = models.DateField(_("licence expires on"), null=True, blank=True)
    chip_number = models.CharField(_("chip number"), max_length=40, blank=True)
    vaccinated_on = models.DateField(_("vaccinated on"), null=True, blank=True)

    class Meta:
        verbose_name = _("dog")
        verbose_name_plural = _("dogs")


class PublicToilet(LedgerRecord):
    """公厕 and its "户籍" archive: manager, star grade, opening hours (the checklist is in `checklists`)."""

    KIND = LedgerKind.PUBLIC_TOILET
    manager = models.ForeignKey(
        Department, verbose_name=_("manager"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    star_grade = models.PositiveSmallIntegerField(_("star grade"), null=True, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("public toilet")
        verbose_name_plural = _("public toilets")


class Site(LedgerRecord):
    """A construction or disposal site (工地/消纳场): its party, permit and the dust monitor that watches it."""

    KIND = LedgerKind.SITE
    kind = models.CharField(_("kind"), max_length=12, choices=SiteKind.choices)
    permit_number = models.CharField(_("permit number"), max_length=40, blank=True)
    permit_expires_on = models.DateField(_("permit expires on"), null=True, blank=True)
    dust_monitor = models.CharField(_("dust monitor device"), max_length=64, blank=True)  # intake device id

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")


class Zone(LedgerRecord):
    """A street-vending zone (禁止/严控/疏导) with its hours; its outline is required."""

    KIND = LedgerKind.ZONE
    kind = models.CharField(_("kind"), max_length=12, choices=ZoneKind.choices)
    hours = models.CharField(_("hours"), max_length=60, blank=True)  # e.g. 17:00-22:00 for a 疏导点

    class Meta:
        verbose_name = _("vending zone")
        verbose_name_plural = _("vending zones")


LEDGER_MODELS: dict[str, type[LedgerRecord]] = {
    model.KIND: model for model in (Shop, Billboard, IllegalBuilding, Dog, PublicToilet, Site, Zone)
}


class LedgerPhoto(models.Model):
    """A photo of a ledger record (拆前/拆中/拆后 for a building), stored like the cases' attachments."""

    ledger = models.CharField(_("ledger"), max_length=20, choices=LedgerKind.choices)
    record_id = models.PositiveIntegerField(_("record"))
    stage = models.CharField(_("stage"), max_length=8, choices=PhotoStage.choices, default=PhotoStage.OTHER)
    file = models.FileField(_("file"), upload_to="ledgers/%Y/%m/")
    content_type = models.CharField(max_length=60)
    taken_at = models.DateTimeField(_("taken at"))
    uploaded_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("ledger photo")
        verbose_name_plural = _("ledger photos")
        indexes = [models.Index(fields=["ledger", "record_id"], name="ledgers_photo_record")]

    def __str__(self) -> str:
        return f"{self.ledger} {self.record_id} {self.stage}"


class LedgerChange(models.Model):
    """The change history of a ledger record: who changed which fields from what to what (personal data masked)."""

    ledger = models.CharField(_("ledger"), max_length=20, choices=LedgerKind.choices)
    record_id = models.PositiveIntegerField(_("record"))
    changed_at = models.DateTimeField(_("changed at"))
    changed_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    how = models.CharField(_("how"), max_length=20)  # created, edited, imported, deactivated
    changes = models.JSONField(_("changes"), default=dict)  # field → [before, after]

    class Meta:
        verbose_name = _("ledger change")
        verbose_name_plural = _("ledger changes")
        indexes = [models.Index(fields=["ledger", "record_id", "changed_at"], name="ledgers_change_record")]

    def __str__(self) -> str:
        return f"{self.ledger} {self.record_id} {self.how}"


class Inspection(models.Model):
    """A visit to a ledger record (检查), or the re-inspection (复查) a document's deadline puts in a queue."""

    ledger = models.CharField(_("ledger"), max_length=20, choices=LedgerKind.choices)
    record_id = models.PositiveIntegerField(_("record"))
    inspector = models.ForeignKey(
        USER, verbose_name=_("inspector"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)  # a re-inspection's deadline day
    document = models.ForeignKey(
        "EnforcementDocument", null=True, blank=True, on_delete=models.PROTECT, related_name="reinspections"
    )
    inspected_at = models.DateTimeField(_("inspected at"), null=True, blank=True)  # empty: still to do
    checklist = models.JSONField(_("checklist"), default=dict, blank=True)  # item → true (ok) / false (failed)
    result = models.CharField(_("result"), max_length=8, choices=InspectionResult.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+")  # raised

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        indexes = [
            models.Index(fields=["ledger", "record_id"], name="ledgers_inspection_record"),
            models.Index(fields=["inspector", "inspected_at", "due_on"], name="ledgers_inspection_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.ledger} {self.record_id} {self.result or 'todo'}"


class DocumentSequence(models.Model):
    """The last number issued per document kind and year: locked while a number is taken, so none is skipped."""

    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="ledgers_sequence_kind_year")]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last_number}"


class EnforcementDocument(models.Model):
    """文书: numbered per kind and year without gaps (海综执提〔2026〕第 00017 号), about a party and often a case."""

    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    full_number = models.CharField(_("document number"), max_length=60, unique=True)
    subject = models.ForeignKey(Subject, verbose_name=_("party"), on_delete=models.PROTECT, related_name="documents")
    ledger = models.CharField(_("ledger"), max_length=20, choices=LedgerKind.choices, blank=True)
    record_id = models.PositiveIntegerField(_("record"), null=True, blank=True)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="documents")
    class_code = models.CharField(_("class"), max_length=10, blank=True)  # the ladder's class (e.g. 店外经营)
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_documents"
    )  # the step of the ladder this one follows
    facts = models.TextField(_("facts"))
    legal_basis = models.TextField(_("legal basis"))
    demand = models.TextField(_("demand"), blank=True)  # what must be done
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    penalty_reference = models.CharField(_("penalty decision number"), max_length=60, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=DocumentStatus.choices, default=DocumentStatus.ISSUED)
    issued_by = models.ForeignKey(USER, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+")
    issuing_unit = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("issued at"))
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    delivery_method = models.CharField(_("delivery"), max_length=12, choices=DeliveryMethod.choices, blank=True)
    delivery_note = models.CharField(_("delivery note"), max_length=200, blank=True)
    delivery_photo = models.FileField(_("delivery photo"), upload_to="ledgers/delivery/%Y/%m/", blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("enforcement document")
        verbose_name_plural = _("enforcement documents")
        constraints = [models.UniqueConstraint(fields=["kind", "year", "number"], name="ledgers_document_number")]
        indexes = [models.Index(fields=["subject", "issued_at"], name="ledgers_document_subject")]

    def __str__(self) -> str:
        return self.full_number


class LadderStep(models.Model):
    """The enforcement ladder of one class: the n-th matter at the same party within `within_days` gets `kind`.

    E.g. 店外经营: the first a 提醒单; a second within 90 days a 限期整改通知书 (deadline 3 days); a failed
    re-inspection of that notice the 责令改正通知书; after that, the penalty."""

    class_code = models.CharField(_("class"), max_length=10, db_index=True)
    position = models.PositiveSmallIntegerField(_("step"))
    kind = models.CharField(_("document"), max_length=20, choices=DocumentKind.choices)
    within_days = models.PositiveSmallIntegerField(_("counted within days"), default=90)
    deadline_days = models.PositiveSmallIntegerField(_("days to comply"), null=True, blank=True)

    class Meta:
        verbose_name = _("ladder step")
        verbose_name_plural = _("ladder steps")
        constraints = [models.UniqueConstraint(fields=["class_code", "position"], name="ledgers_ladder_step")]

    def __str__(self) -> str:
        return f"{self.class_code} #{self.position}: {self.kind}"


class CreditRule(models.Model):
    """Points a kind of credit event moves a party's score by (the scheme: 100 points to start, levels by score)."""

    event_kind = models.CharField(_("event"), max_length=20, choices=CreditEventKind.choices, unique=True)
    points = models.IntegerField(_("points"))  # negative for a penalty, positive for good conduct
    # Black list when a party has this many events of the kind within a year (e.g. 5 penalties); 0: never.
    blacklist_after = models.PositiveSmallIntegerField(_("black-listed after"), default=0)

    class Meta:
        verbose_name = _("credit rule")
        verbose_name_plural = _("credit rules")

    def __str__(self) -> str:
        return f"{self.event_kind}: {self.points}"


class CreditEvent(models.Model):
    """One entry of a party's 诚信档案: a final decision or a good-conduct record, with its points and reason."""

    subject = models.ForeignKey(
        Subject, verbose_name=_("party"), on_delete=models.PROTECT, related_name="credit_events"
    )
    kind = models.CharField(_("event"), max_length=20, choices=CreditEventKind.choices)
    points = models.IntegerField(_("points"))
    occurred_on = models.DateField(_("decided on"))
    reason = models.CharField(_("reason"), max_length=300)
    authority = models.CharField(_("authority"), max_length=100)  # the deciding body, for the public platform
    document = models.ForeignKey(
        EnforcementDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="credit_events"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CreditEventStatus.choices, default=CreditEventStatus.ACTIVE
    )
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))
    # An objection (异议) or a repair (信用修复): what was asked, and what was decided by whom.
    appeal_text = models.TextField(_("objection or repair request"), blank=True)
    appeal_decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    appeal_decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    appeal_decision = models.TextField(_("decision"), blank=True)

    class Meta:
        verbose_name = _("credit event")
        verbose_name_plural = _("credit events")
        indexes = [models.Index(fields=["subject", "occurred_on"], name="ledgers_credit_subject")]

    def __str__(self) -> str:
        return f"{self.subject_id} {self.kind} {self.occurred_on}"


class LedgerKeeper(models.Model):
    """Which departments keep (and see) which ledger: 综合执法 the shops, 住建 the sites, 公安 the dogs …"""

    ledger = models.CharField(_("ledger"), max_length=20, choices=LedgerKind.choices)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.CASCADE, related_name="kept_ledgers"
    )

    class Meta:
        verbose_name = _("ledger keeper")
        verbose_name_plural = _("ledger keepers")
        constraints = [models.UniqueConstraint(fields=["ledger", "department"], name="ledgers_keeper")]

    def __str__(self) -> str:
        return f"{self.ledger}: {self.department_id}"
