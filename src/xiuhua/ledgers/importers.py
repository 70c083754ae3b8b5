"""Excel (.xlsx) and CSV import and export of a ledger, all or nothing.

One row per record, matched by its ledger number (台账编号): a known number updates the record, a new one creates
it. The party is found by its identity number (created when new, the check character checked: a bad one names the
row and the column), or by its number in xiuhua (当事人编号, as exported), or created from its name. Points are WGS84
and are placed in the territory in one vectorised lookup; every row's problems are listed with row and column, and
nothing is written unless the whole file is right. Rows are parsed, checked and written a batch at a time inside one
transaction (bulk_create / bulk_update, each record with an "imported" change), so a large file's parsed rows are
never all in memory; exports mask personal data unless the viewer sees it in full.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.utils import timezone, translation

from xiuhua.accounts.models import User
from xiuhua.accounts.privacy import Visibility, mask_name, mask_phone
from xiuhua.accounts.queries import sees_division_code
from xiuhua.core.crypto import phone_digest
from xiuhua.core.errors import DomainError, PermissionDenied
from xiuhua.core.tabular import (
    Column,
    ExportFile,
    ImportRejected,
    ImportResult,
    RecordParser,
    Row,
    RowErrors,
    Source,
    audit_import,
    open_table,
    read_source,
    reject,
    source_name,
    table_file,
    template_file,
    writing,
)
from xiuhua.ledgers.choices import IdKind, LedgerKind, SubjectKind
from xiuhua.ledgers.fields import blank_value, editable_fields, parse_value
from xiuhua.ledgers.models import LedgerChange, LedgerRecord, Subject
from xiuhua.ledgers.placement import outline_text, polygon
from xiuhua.ledgers.privacy import mask_address, record_visibility, shown_contact_fields
from xiuhua.ledgers.queries import visible_records, writable_ledgers
from xiuhua.ledgers.records import ledger_model, rule_problems
from xiuhua.ledgers.subjects import identity_key, the_district
from xiuhua.territory.models import UnitGrid
from xiuhua.territory.services import locate_grid_ids

BATCH = 2000
SUBJECT_COLUMNS = (
    Column("subject_kind", "当事人类型", example="单位", aliases=("party kind",)),
    Column("subject_name", "当事人名称", example="海盐县某某餐饮店", aliases=("party",)),
    Column("id_kind", "证件类型", example="统一社会信用代码"),
    Column("id_number", "证件号码", example="91330424MA2B0XXXX0"),
    Column("subject_phone", "当事人电话", example="13800000000"),
    Column("subject_address", "当事人地址"),
    Column("subject_id", "当事人编号"),  # as exported: the party already in xiuhua
)
LOCATION_COLUMNS = (
    Column("lng", "经度", numeric=True, example=120.94, parse=float),
    Column("lat", "纬度", numeric=True, example=30.52, parse=float),
    Column("area_geojson", "范围（GeoJSON）"),
)
SUBJECT_KINDS = {"个人": SubjectKind.PERSON, "单位": SubjectKind.ORGANISATION, **{k: k for k in SubjectKind.values}}
ID_KINDS = {str(label): key for key, label in IdKind.choices} | {
    "统一社会信用代码": IdKind.CREDIT_CODE, "身份证": IdKind.ID_CARD, "居民身份证": IdKind.ID_CARD,
    "其他": IdKind.OTHER, **{k: k for k in IdKind.values},
}  # fmt: skip


def _cell_parser(field: Any):
    def parse(value: Any) -> Any:
        return parse_value(field, value)

    return parse


def _blank_cell(field: Any) -> Any:
    return field.get_default() if field.has_default() else blank_value(field)


def ledger_columns(kind: str) -> list[Column]:
    """The file's columns for one ledger: its own fields (Chinese titles), the location, then the party."""
    fields = editable_fields(ledger_model(kind))
    columns = []
    with translation.override("zh-hans"):
        for name, field in fields.items():
            if name == "subject_id":
                continue
            required = not field.blank and not field.has_default()
            columns.append(
                Column(
                    name,
                    str(field.verbose_name),
                    required=required,
                    parse=_cell_parser(field),
                    blank=None if required else _blank_cell(field),
                    aliases=(field.name,),
                    numeric=field.get_internal_type() in ("DecimalField", "PositiveSmallIntegerField"),
                )
            )
    return [*columns, *LOCATION_COLUMNS, *SUBJECT_COLUMNS]


@dataclass
class Placed:
    grid_id: int
    grid_code: str
    community_id: int
    subdistrict_id: int
    district_id: int


def _place_rows(rows: list[Row], errors: RowErrors, actor: User) -> dict[int, Placed]:
    """Row number → placement, all points located at once; outlines give their representative point."""
    points: list[tuple[int, float, float]] = []
    for row in rows:
        lng, lat, outline = row.values.get("lng"), row.values.get("lat"), row.values.get("area_geojson")
        if outline:
            try:
                shape = polygon(outline, "范围")
            except DomainError as exc:
                errors.add(row.number, "范围（GeoJSON）", exc.message)
                continue
            row.values["area_geojson"] = outline_text(shape)  # the map layer embeds it as a geometry
            if lng in (None, "") or lat in (None, ""):
                point = shape.representative_point()
                lng, lat = point.x, point.y
        if lng in (None, "") or lat in (None, ""):
            errors.add(row.number, "经度", "请填写经纬度或范围")
            continue
        points.append((row.number, float(lng), float(lat)))
    if not points:
        return {}
    grid_ids = locate_grid_ids(np.array([p[1] for p in points]), np.array([p[2] for p in points]))
    grids = {
        g[0]: Placed(*g)
        for g in UnitGrid.objects.filter(id__in={g for g in grid_ids if g}).values_list(
            "id", "code", "community_id", "community__parent_id", "community__parent__parent_id"
        )
    }
    placed = {}
    for (number, lng, lat), grid_id in zip(points, grid_ids, strict=True):
        if grid_id is None:
            errors.add(number, "经度", f"坐标（{lng:.6f}, {lat:.6f}）不在本辖区的任何单元网格内")
        elif not sees_division_code(actor, grids[grid_id].grid_code):
            errors.add(number, "经度", "该位置不在您的数据范围内")
        else:
            placed[number] = grids[grid_id]
    return placed


def _subject_keys(rows: list[Row], errors: RowErrors) -> dict[int, tuple[str, str, str]]:
    """Row number → (id kind, digest, last four) of the party's identity, checked."""
    keys = {}
    for row in rows:
        number = str(row.values.get("id_number") or "")
        if not number:
            continue
        id_kind = ID_KINDS.get(str(row.values.get("id_kind") or "").strip(), "")
        if not id_kind:
            errors.add(
                row.number, row.headers.get("id_kind", "证件类型"), "请填写证件类型（统一社会信用代码、身份证或其他）"
            )
            continue
        try:
            digest, last4 = identity_key(id_kind, number)
        except DomainError as exc:
            errors.add(row.number, row.headers.get("id_number", "证件号码"), exc.message)
            continue
        keys[row.number] = (id_kind, digest, last4)
    return keys


def _check_subject_ids(rows: list[Row], errors: RowErrors) -> None:
    """当事人编号 (as exported) must name a party that exists; rows with an identity number do not need it."""
    given = {r.number: str(r.values.get("subject_id") or "").strip() for r in rows}
    numbers = {int(v) for v in given.values() if v.isdigit()}
    known = set(Subject.objects.filter(pk__in=numbers).values_list("pk", flat=True)) if numbers else set()
    for row in rows:
        value = given[row.number]
        if value and not row.values.get("id_number") and (not value.isdigit() or int(value) not in known):
            errors.add(row.number, row.headers.get("subject_id", "当事人编号"), f"当事人编号「{value}」不存在")


def _check_subject_kind(rows: list[Row], errors: RowErrors) -> None:
    for row in rows:
        text = str(row.values.get("subject_kind") or "").strip()
        if text and text not in SUBJECT_KINDS:
            errors.add(row.number, row.headers.get("subject_kind", "当事人类型"), "应为「个人」或「单位」")
        if (row.values.get("id_number") or text) and not row.values.get("subject_name"):
            errors.add(row.number, row.headers.get("subject_name", "当事人名称"), "填写了当事人信息，但没有名称")


def _check_rules(kind: str, rows: list[Row], columns: list[Column], errors: RowErrors) -> None:
    """The rules of the API's writes, row by row (every problem listed with its row and column)."""
    fields = editable_fields(ledger_model(kind))
    titles = {c.field: c.title for c in columns}
    for row in rows:
        if not row.ok:
            continue
        for name, message in rule_problems(kind, row.values, fields):
            errors.add(row.number, row.headers.get(name, titles.get(name, name)), message)
        if kind == LedgerKind.ZONE and not row.values.get("area_geojson"):
            errors.add(row.number, row.headers.get("area_geojson", "范围（GeoJSON）"), "管控区域必须给出范围")


def _batches(source: Source, columns: list[Column], errors: RowErrors, filename: str | None) -> Iterator[list[Row]]:
    """The file's rows, parsed a batch at a time (the cells of the file are read once; rows are not all kept)."""
    data, name = read_source(source, filename)
    headers, records = open_table(data, name)
    parser = RecordParser(columns, errors)
    if problems := parser.header_problems(headers):
        raise ImportRejected(problems)
    batch: list[Row] = []
    empty = True
    for number, cells in records:
        if any(c is not None and str(c).strip() for c in cells):
            batch.append(parser.parse(number, dict(zip(headers, cells, strict=False))))
            empty = False
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch
    if empty:
        raise reject("文件中没有数据行（第 1 行应为列标题，数据从第 2 行开始）")


def _repeated_codes(rows: list[Row], first: dict[str, int], errors: RowErrors) -> None:
    for row in rows:
        code = row.values.get("code")
        if code in first:
            errors.add(row.number, row.headers.get("code", "台账编号"), f"「{code}」与第 {first[code]} 行重复")
        elif code:
            first[code] = row.number


def import_ledger(actor: User, kind: str, source: Source, *, filename: str | None = None) -> ImportResult:
    """Import one ledger's file; ImportRejected (nothing written) listing every problem by row and column.

    Batches are checked and written in one transaction as they are read; after the first problem the rest is
    only checked, and the transaction is rolled back with every problem listed."""
    model = ledger_model(kind)
    if kind not in writable_ledgers(actor):
        raise PermissionDenied(f"无权导入「{model._meta.verbose_name}」台账")
    columns = ledger_columns(kind)
    errors = RowErrors()
    result = ImportResult(str(model._meta.verbose_name))
    writer = _Writer(actor, kind, model)
    codes: dict[str, int] = {}
    with writing():
        for rows in _batches(source, columns, errors, filename):
            _repeated_codes(rows, codes, errors)
            placed = _place_rows(rows, errors, actor)
            identities = _subject_keys(rows, errors)
            _check_subject_kind(rows, errors)
            _check_subject_ids(rows, errors)
            _check_rules(kind, rows, columns, errors)
            if not errors:
                writer.write(rows, result, identities, placed)
        errors.raise_if_any()
    audit_import(actor, "ledgers.imported", source_name(source, filename), result)
    return result


def _same(stored: Any, given: Any) -> bool:
    # Excel keeps 15 significant digits: a coordinate read back from an export differs in the 16th (≈ 1e-14°).
    if isinstance(stored, float) and isinstance(given, float):
        return abs(stored - given) < 1e-9
    return stored == given


class _Writer:
    """Writes checked rows batch by batch: parties first (found by identity or created), then records."""

    def __init__(self, actor: User, kind: str, model: type[LedgerRecord]) -> None:
        self.actor, self.kind, self.model = actor, kind, model
        self.identities: dict = {}
        self.placed: dict = {}
        self.now = timezone.now()
        self.fields = [f for f in editable_fields(model) if f != "subject_id"]
        self.district = None

    def write(self, rows: list[Row], result: ImportResult, identities: dict, placed: dict) -> None:
        self.identities, self.placed = identities, placed
        subjects = self._subjects(rows)
        existing = self.model.objects.in_bulk([r.values["code"] for r in rows], field_name="code")
        created, updated, changes = [], [], []
        changed_fields: set[str] = set()
        for row in rows:
            values = self._values(row, subjects)
            record = existing.get(row.values["code"])
            if record is None:
                created.append(self.model(**values))
                continue
            diff = {k: v for k, v in values.items() if not _same(getattr(record, k), v)}
            if diff:
                for key, value in diff.items():
                    setattr(record, key, value)
                record.updated_at = self.now
                changed_fields |= set(diff) | {"updated_at"}
                updated.append(record)
                changes.append(self._change(record, sorted(diff)))
        self.model.objects.bulk_create(created, batch_size=BATCH)
        if updated:
            self.model.objects.bulk_update(updated, sorted(changed_fields), batch_size=BATCH)
        changes += [self._change(r, ["created"]) for r in created]
        LedgerChange.objects.bulk_create(changes, batch_size=BATCH)
        result.created += len(created)
        result.updated += len(updated)
        result.unchanged += len(rows) - len(created) - len(updated)

    def _change(self, record: LedgerRecord, names: list[str]) -> LedgerChange:
        # The import's history says which fields a file changed; the values stay in the file (personal data).
        return LedgerChange(ledger=self.kind, record_id=record.pk, changed_at=self.now, changed_by=self.actor,
                            how="imported", changes={"fields": names})  # fmt: skip

    def _values(self, row: Row, subjects: dict[int, int | None]) -> dict[str, Any]:
        values = {name: row.values[name] for name in self.fields if name in row.values}
        where = self.placed[row.number]
        values.update(
            lng=float(row.values["lng"]) if row.values.get("lng") not in (None, "") else None,
            lat=float(row.values["lat"]) if row.values.get("lat") not in (None, "") else None,
            area_geojson=row.values.get("area_geojson") or "",
            unit_grid_id=where.grid_id,
            grid_code=where.grid_code,
            community_id=where.community_id,
            subdistrict_id=where.subdistrict_id,
            district_id=where.district_id,
        )
        if values["lng"] is None:  # placed by its outline
            values.pop("lng"), values.pop("lat")
        if "contact_phone" in values:
            values["contact_phone_digest"] = phone_digest(values["contact_phone"] or "")
        if subjects.get(row.number):
            values["subject_id"] = subjects[row.number]
        return values

    def _subjects(self, rows: list[Row]) -> dict[int, int | None]:
        """Row number → party id: by identity (one party per number, created once), by 当事人编号, or by name."""
        digests = {self.identities[r.number][1] for r in rows if r.number in self.identities}
        known = dict(Subject.objects.filter(id_digest__in=digests).values_list("id_digest", "id"))
        new: dict[str, Subject] = {}
        by_row: dict[int, Any] = {}
        for row in rows:
            if row.number in self.identities:
                id_kind, digest, last4 = self.identities[row.number]
                if digest not in known and digest not in new:
                    new[digest] = self._new_subject(row, id_kind=id_kind, id_digest=digest, id_last4=last4)
                by_row[row.number] = known.get(digest) or new[digest]
            elif row.values.get("subject_id"):
                by_row[row.number] = int(row.values["subject_id"])
            elif row.values.get("subject_name"):
                by_row[row.number] = new.setdefault(f"row{row.number}", self._new_subject(row))
        Subject.objects.bulk_create(list(new.values()), batch_size=BATCH)
        return {n: s.pk if isinstance(s, Subject) else s for n, s in by_row.items()}

    def _new_subject(self, row: Row, **identity: str) -> Subject:
        if self.district is None:
            self.district = the_district()
        kind = SUBJECT_KINDS.get(str(row.values.get("subject_kind") or "").strip(), SubjectKind.ORGANISATION)
        phone = str(row.values.get("subject_phone") or "")
        address = str(row.values.get("subject_address") or "")
        name = str(row.values["subject_name"])
        return Subject(
            kind=kind, name=name, phone=phone, phone_digest=phone_digest(phone), address=address,
            district=self.district, **identity,
        )  # fmt: skip


# --- export and template -----------------------------------------------------------------------------------


def _export_rows(viewer: User, kind: str) -> Iterator[dict[str, Any]]:
    fields = [f for f in editable_fields(ledger_model(kind)) if f != "subject_id"]
    records = visible_records(viewer, kind).select_related("subject").order_by("code")
    for record in records.iterator(chunk_size=BATCH):
        row = {name: getattr(record, name) for name in fields}
        row.update(lng=record.lng, lat=record.lat, area_geojson=record.area_geojson)
        if kind == LedgerKind.SHOP:
            row.update(shown_contact_fields(viewer, kind, record.grid_code, record.contact_name, record.contact_phone))
        if record.subject_id:
            row.update(_subject_cells(viewer, record))
        yield row


def _subject_cells(viewer: User, record: LedgerRecord) -> dict[str, Any]:
    subject = record.subject
    seen = record_visibility(viewer, record.KIND, record.grid_code)
    person = subject.kind == SubjectKind.PERSON
    full = seen == Visibility.FULL
    return {
        "subject_id": subject.pk,
        "subject_kind": str(SubjectKind(subject.kind).label),
        "subject_name": subject.name if full or not person else mask_name(subject.name),
        "id_kind": str(IdKind(subject.id_kind).label) if subject.id_kind else "",
        "subject_phone": subject.phone if full else mask_phone(subject.phone),
        "subject_address": subject.address if full or not person else mask_address(subject.address),
    }


def export_ledger(viewer: User, kind: str, fmt: str = "xlsx") -> ExportFile:
    """The records the viewer sees, as a file that imports again (identity numbers are never exported)."""
    model = ledger_model(kind)
    columns = [c for c in ledger_columns(kind) if c.field != "id_number"]
    try:
        return table_file(columns, _export_rows(viewer, kind), fmt, str(model._meta.verbose_name))
    except ValueError as exc:
        raise DomainError(str(exc), code="bad_format") from None


def ledger_template(kind: str, fmt: str = "xlsx") -> ExportFile:
    model = ledger_model(kind)
    try:
        return template_file(ledger_columns(kind), fmt, str(model._meta.verbose_name))
    except ValueError as exc:
        raise DomainError(str(exc), code="bad_format") from None
