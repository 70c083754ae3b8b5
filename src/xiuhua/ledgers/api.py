"""Ledgers API (一户一档) under /api/v1/ledgers/: parties, the records of each ledger with their photos and change
history, import and export, the template, and each ledger's map layer. Reads go through `ledgers.queries` (a
ledger the user does not see is empty; a record out of scope is 404); writes through the services (403 with the
reason, 400 with a Chinese message naming the field, nothing half-written)."""

from __future__ import annotations

from urllib.parse import quote

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from ninja import Body, Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile

from xiuhua.core.api_schemas import ERRORS
from xiuhua.core.errors import NotFound
from xiuhua.core.tabular import ExportFile
from xiuhua.ledgers import presenters
from xiuhua.ledgers.importers import export_ledger, import_ledger, ledger_template
from xiuhua.ledgers.layer import layer
from xiuhua.ledgers.privacy import appearances, shown_subject
from xiuhua.ledgers.queries import visible_ledgers, visible_records, visible_subjects
from xiuhua.ledgers.records import add_photos, create_record, deactivate_record, ledger_model, update_record
from xiuhua.ledgers.subjects import INPUT_FIELDS, SubjectInput, create_subject, identity_key, update_subject

router = Router(tags=["ledgers"])
MAX_PAGE = 500


class PageQuery(Schema):
    limit: int = Field(100, ge=1, le=MAX_PAGE)
    offset: int = Field(0, ge=0, le=10_000_000)


# --- parties -----------------------------------------------------------------------------------------------


class PartyQuery(PageQuery):
    q: str = Field("", max_length=100, description="名称包含（单位名称；个人只在有权查看时可按名称找到）")
    id_kind: str = Field("", description="证件类型：credit_code | id_card | other（与 id_number 一起）")
    id_number: str = Field("", max_length=40, description="证件号码：按其摘要精确查找，号码不保存")


class PartyBody(Schema):
    kind: str = Field(..., description="person 个人 | organisation 单位")
    name: str = Field(..., max_length=200)
    id_kind: str = Field("", description="credit_code 统一社会信用代码 | id_card 身份证 | other")
    id_number: str = Field("", max_length=40, description="证件号码（校验后只保存摘要和后四位）")
    phone: str = Field("", max_length=40)
    address: str = Field("", max_length=200)
    legal_representative: str = Field("", max_length=60)
    district_code: str = Field("", max_length=12, description="区县代码（只有一个区县时可省略）")


def party_for(user, subject_id: int):
    subject = visible_subjects(user).select_related("district").filter(pk=subject_id).first()
    if subject is None:
        raise NotFound("当事人不存在或无权查看")
    return subject


@router.get("/ledgers/parties", response={200: list[dict], **ERRORS}, summary="当事人列表（按名称或证件号码查找）")
def list_parties(request: HttpRequest, query: Query[PartyQuery]):
    subjects = visible_subjects(request.auth).select_related("district")
    if query.id_number:
        digest, _ = identity_key(query.id_kind, query.id_number)
        subjects = subjects.filter(id_kind=query.id_kind, id_digest=digest)
    if query.q:  # a person's name is personal data: found by name only by those who may see it (checked below)
        subjects = subjects.filter(name__icontains=query.q)
    found = list(subjects.order_by("name", "pk")[query.offset : query.offset + query.limit])
    places = appearances(s.pk for s in found)
    shown = [shown_subject(request.auth, s, places.get(s.pk, [])) for s in found]
    return [s for s in shown if not query.q or query.q in s["name"]]


@router.get("/ledgers/parties/{int:subject_id}", response={200: dict, **ERRORS}, summary="一个当事人及其台账记录")
def get_party(request: HttpRequest, subject_id: int):
    subject = party_for(request.auth, subject_id)
    shown = shown_subject(request.auth, subject)
    shown["records"] = [
        {"kind": kind, "id": r.pk, "code": r.code, "name": r.name, "active": r.active}
        for kind in sorted(visible_ledgers(request.auth))
        for r in visible_records(request.auth, kind).filter(subject=subject).order_by("code")
    ]
    return shown


@router.post("/ledgers/parties", response={201: dict, **ERRORS}, summary="登记当事人（同一证件号码只能登记一次）")
def post_party(request: HttpRequest, body: PartyBody):
    subject = create_subject(request.auth, SubjectInput(**body.dict()))
    return 201, shown_subject(request.auth, subject, [])


@router.put(
    "/ledgers/parties/{int:subject_id}",
    response={200: dict, **ERRORS},
    summary="修改当事人（证件号码留空则不改）",
)
def put_party(request: HttpRequest, subject_id: int, body: PartyBody):
    party_for(request.auth, subject_id)
    data = SubjectInput(**{k: v for k, v in body.dict().items() if k in INPUT_FIELDS})
    keep = not data.id_number.strip()
    if keep:  # the number is never sent back, so a form re-sent without it keeps the stored identity
        data.id_kind = ""
    subject = update_subject(request.auth, subject_id, data, keep_identity=keep)
    return shown_subject(request.auth, subject)


# --- records -----------------------------------------------------------------------------------------------


class RecordQuery(PageQuery):
    grid: str = Field("", max_length=15, description="单元网格代码")
    community: str = Field("", max_length=12, description="社区代码")
    subdistrict: str = Field("", max_length=12, description="街道（镇）代码")
    active: bool | None = Field(None, description="true 在册 | false 已注销")
    q: str = Field("", max_length=100, description="编号、名称或地址包含")


def records_of(user, kind: str):
    ledger_model(kind)  # 404 for an unknown ledger
    return visible_records(user, kind)


@router.get("/ledgers/{kind}/records", response={200: dict, **ERRORS}, summary="某类台账的记录（按数据范围）")
def list_records(request: HttpRequest, kind: str, query: Query[RecordQuery]):
    records = records_of(request.auth, kind).select_related("community", "subdistrict", "subject__district")
    if query.grid:
        records = records.filter(grid_code=query.grid)
    if query.community:
        records = records.filter(community__code=query.community)
    if query.subdistrict:
        records = records.filter(subdistrict__code=query.subdistrict)
    if query.active is not None:
        records = records.filter(active=query.active)
    if query.q:
        records = records.filter(
            Q(code__icontains=query.q) | Q(name__icontains=query.q) | Q(address__icontains=query.q)
        )
    page = list(records.order_by("code")[query.offset : query.offset + query.limit])
    return {"count": records.count(), "items": presenters.record_list(request.auth, page)}


def record_for(user, kind: str, record_id: int):
    record = records_of(user, kind).select_related("community", "subdistrict", "subject__district")
    record = record.filter(pk=record_id).first()
    if record is None:
        raise NotFound("台账记录不存在或无权查看")
    return record


@router.get(
    "/ledgers/{kind}/records/{int:record_id}",
    response={200: dict, **ERRORS},
    summary="一条台账记录：字段、当事人、照片和修改记录",
)
def get_record(request: HttpRequest, kind: str, record_id: int):
    return presenters.record_detail(request.auth, record_for(request.auth, kind, record_id))


RECORD_DOC = "该类台账的字段（见模板），加位置：lng、lat（可选 crs：wgs84 | gcj02 | bd09）或 area_geojson（面）。"


@router.post("/ledgers/{kind}/records", response={201: dict, **ERRORS}, summary="登记台账记录", description=RECORD_DOC)
def post_record(request: HttpRequest, kind: str, data: Body[dict]):
    record = create_record(request.auth, kind, data)
    return 201, presenters.record_detail(request.auth, record_for(request.auth, kind, record.pk))


@router.patch(
    "/ledgers/{kind}/records/{int:record_id}",
    response={200: dict, **ERRORS},
    summary="修改台账记录（只改给出的字段）",
    description=RECORD_DOC,
)
def patch_record(request: HttpRequest, kind: str, record_id: int, data: Body[dict]):
    update_record(request.auth, kind, record_id, data)
    return presenters.record_detail(request.auth, record_for(request.auth, kind, record_id))


class DeactivateBody(Schema):
    reason: str = Field("", max_length=200)


@router.post(
    "/ledgers/{kind}/records/{int:record_id}/deactivate",
    response={200: dict, **ERRORS},
    summary="注销台账记录（保留在档案中）",
)
def post_deactivate(request: HttpRequest, kind: str, record_id: int, body: DeactivateBody):
    deactivate_record(request.auth, kind, record_id, reason=body.reason)
    return presenters.record_detail(request.auth, record_for(request.auth, kind, record_id))


@router.post(
    "/ledgers/{kind}/records/{int:record_id}/photos",
    response={201: dict, **ERRORS},
    summary="上传照片（阶段：before 拆前 | during 拆中 | after 拆后 | other）",
)
def post_photos(
    request: HttpRequest, kind: str, record_id: int, files: File[list[UploadedFile]], stage: Form[str] = "other"
):
    add_photos(request.auth, kind, record_id, list(files), stage=stage)
    return 201, presenters.record_detail(request.auth, record_for(request.auth, kind, record_id))


# --- files and the map layer -------------------------------------------------------------------------------


def download(file: ExportFile) -> HttpResponse:
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(file.filename)}"
    return response


class FormatQuery(Schema):
    format: str = Field("xlsx", description="xlsx | csv")


@router.post(
    "/ledgers/{kind}/import",
    response={200: dict, **ERRORS},
    summary="导入台账（Excel 或 CSV，按台账编号新增或更新，全部正确才写入）",
    description="出错时 400，errors 列出每处错误的行号、列名和原因，不写入任何数据。",
)
def post_import(request: HttpRequest, kind: str, file: File[UploadedFile]):
    result = import_ledger(request.auth, kind, file.read(), filename=file.name)
    return {"created": result.created, "updated": result.updated, "unchanged": result.unchanged,
            "summary": result.summary()}  # fmt: skip


@router.get("/ledgers/{kind}/export", response={200: None, **ERRORS}, summary="导出台账（个人信息按权限脱敏）")
def get_export(request: HttpRequest, kind: str, query: Query[FormatQuery]):
    ledger_model(kind)
    return download(export_ledger(request.auth, kind, query.format))


@router.get("/ledgers/{kind}/template", response={200: None, **ERRORS}, summary="导入模板")
def get_template(request: HttpRequest, kind: str, query: Query[FormatQuery]):
    return download(ledger_template(kind, query.format))


class LayerQuery(Schema):
    bbox: str = Field("", description="minLng,minLat,maxLng,maxLat（WGS84）；缺省为全部")
    active: bool = Field(True, description="只画在册的记录")


@router.get(
    "/ledgers/{kind}/layer.geojson",
    response={200: None, **ERRORS},
    summary="台账地图图层（点或面，含编号、名称、状态；无个人信息）",
)
def get_layer(request: HttpRequest, kind: str, query: Query[LayerQuery]):
    content = layer(records_of(request.auth, kind), kind, query.bbox, active_only=query.active)
    return HttpResponse(content, content_type="application/geo+json")
