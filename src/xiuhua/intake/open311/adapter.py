"""POST requests: one Open311 service request becomes one `accept_report` call.

The service code is an event class; the place is lat+long (WGS84), an address string (geocoded by intake) or
an address id (a row of the street-address table); uploaded `media` files win over a `media_url`. A retry with
the same Idempotency-Key — or the same device_id and client token — from the same client gets the same case.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile

from xiuhua.accounts.models import ApiKey
from xiuhua.cases.choices import Source
from xiuhua.catalog.choices import ClassKind
from xiuhua.intake.open311 import params as p
from xiuhua.intake.open311.queries import event_class
from xiuhua.intake.services import MAX_DESCRIPTION, Accepted, ReportInput, accept_report, intake_key
from xiuhua.territory.models import StreetAddress

CLIENT_TOKEN_PARAMS = ("token", "client_token")
MAX_ID_DIGITS = 18  # beyond a 64-bit key


def _street_address(value: str) -> StreetAddress:
    is_id = value.isdigit() and len(value) <= MAX_ID_DIGITS
    found = StreetAddress.objects.select_related("road").filter(pk=int(value)).first() if is_id else None
    if found is None:
        raise p.BadParam(f"未知的 address_id「{value}」（应为门牌表中的编号）")
    return found


def location(params: p.Params) -> tuple[float | None, float | None, str]:
    """(lng, lat, address text): a point, or an address for intake's geocoder to place."""
    lat, lng = p.number("lat", params.get("lat")), p.number("long", params.get("long"))
    address = p.plain_text(params, "address_string", 256)
    if (lat is None) != (lng is None):
        raise p.BadParam("lat 和 long 需同时填写")
    if lat is None and not address and params.get("address_id"):
        street = _street_address(params.get("address_id"))
        return street.lng, street.lat, f"{street.road.name}{street.number}号"
    if lat is None and not address:
        raise p.BadParam("缺少位置：请给出 lat 和 long，或 address_string，或 address_id")
    return lng, lat, address


def client_key(params: p.Params, idempotency_key: str | None) -> str | None:
    """The client's own key for this report: its Idempotency-Key, else its device id with its client token."""
    if idempotency_key and idempotency_key.strip():
        return idempotency_key.strip()
    token = next((params.get(name) for name in CLIENT_TOKEN_PARAMS if params.get(name)), "")
    device = params.get("device_id")
    return f"{device}:{token}" if device and token else None


def _details(params: p.Params, client: ApiKey, has_files: bool) -> dict[str, Any]:
    details = {
        "client": client.name,
        "device_id": p.limited_text(params, "device_id", 100),
        "account_id": p.limited_text(params, "account_id", 100),
        "media_url": "" if has_files else p.url(params, "media_url"),
        "attributes": params.attributes(),
    }
    return {"open311": {name: value for name, value in details.items() if value}}


def submit_request(
    params: p.Params,
    client: ApiKey,
    files: list[UploadedFile],
    *,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> Accepted:
    key = intake_key(f"open311:{client.pk}", client_key(params, idempotency_key))
    case_class = event_class(params.required("service_code"))
    lng, lat, address = location(params)
    data = ReportInput(
        class_code=case_class.code,
        kind=ClassKind.EVENT,
        description=p.plain_text(params, "description", MAX_DESCRIPTION) or case_class.name,
        lng=lng,
        lat=lat,
        address=address,
        reporter_name=p.person_name(params),
        reporter_phone=p.limited_text(params, "phone", 30),
        reporter_email=p.email(params),  # on the case, encrypted; not in the report event's details
    )
    return accept_report(
        data,
        source=Source.OPEN311,
        actor=None,
        photos=files,
        key=key,
        now=now,
        details=_details(params, client, bool(files)),
    )
