"""Citizens (城市啄木鸟): a public page or mini-program, no account. The phone gives GCJ-02 (WeChat, Amap) or
BD-09 (Baidu) coordinates; contact details are optional; each client is rate-limited; the reply is the case
number and a lookup code to follow it."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from xiuhua.cases.choices import Source
from xiuhua.core.errors import DomainError
from xiuhua.geo.crs import SUPPORTED_CRS
from xiuhua.intake.ratelimit import take_rate_slot
from xiuhua.intake.services import Accepted, ReportInput, accept_report, already_accepted, intake_key

DEFAULT_RATE = (10, 3600)  # reports per client address per hour
DEFAULT_ANON_PER_MINUTE = 60  # anonymous reports per minute in the whole district
MAX_PHOTOS = 3
PHONE = re.compile(r"^1\d{10}$|^0\d{2,3}-?\d{7,8}$")


@dataclass(frozen=True)
class CitizenClass:
    code: str
    kind: str
    label: str  # how a citizen would say it


# A short list in everyday words; the operator reclassifies when needed.
CITIZEN_CLASSES = (
    CitizenClass("06010", "event", "路边有垃圾"),
    CitizenClass("06042", "event", "垃圾桶满了"),
    CitizenClass("06012", "event", "道路脏"),
    CitizenClass("06013", "event", "路面坏了"),
    CitizenClass("01023", "event", "井盖坏了或不见了"),
    CitizenClass("01037", "event", "路灯不亮"),
    CitizenClass("07001", "event", "小广告"),
    CitizenClass("09006", "event", "占道摆摊"),
    CitizenClass("09005", "event", "店外经营"),
    CitizenClass("09009", "event", "汽车乱停"),
    CitizenClass("09011", "event", "共享单车乱停"),
    CitizenClass("06029", "event", "露天烧烤"),
    CitizenClass("06027", "event", "油烟扰民"),
    CitizenClass("06028", "event", "噪声扰民"),
    CitizenClass("08004", "event", "工地扬尘"),
    CitizenClass("06014", "event", "渣土撒落"),
    CitizenClass("06017", "event", "绿地脏乱"),
)
_CLASS_KINDS = {c.code: c.kind for c in CITIZEN_CLASSES}


def client_fingerprint(remote_addr: str, device: str = "") -> str:
    """A stable, non-reversible id of an anonymous client (the IP address is not stored)."""
    return hashlib.sha256(f"{remote_addr}|{device}".encode()).hexdigest()[:32]


def _check_citizen_report(data: ReportInput, photos: list) -> None:
    if data.class_code not in _CLASS_KINDS:
        raise DomainError("请从列表中选择问题类型", code="unknown_class")
    if data.crs not in SUPPORTED_CRS:
        raise DomainError("坐标系 crs 应为 gcj02（微信/高德）、bd09（百度）或 wgs84", code="bad_crs")
    if len(photos) > MAX_PHOTOS:
        raise DomainError(f"最多上传 {MAX_PHOTOS} 张照片", code="too_many_files")
    phone = (data.reporter_phone or "").strip()
    if phone and not PHONE.match(phone):
        raise DomainError("联系电话格式不正确（手机 11 位，或带区号的固话）", code="bad_phone")


def take_citizen_slots(client: str, address: str, now: datetime | None = None) -> None:
    """Count an anonymous report against its address, its device (when named) and the whole district.

    The address always counts, so a client-chosen device id (X-Client-Id) only adds a narrower count and
    cannot start a fresh one. Counted before the payload is checked, so a flood of bad payloads is
    limited too. The district-wide ceiling caps many addresses together (a botnet, a rented proxy pool).
    """
    limit, per_seconds = getattr(settings, "XIUHUA_CITIZEN_RATE", DEFAULT_RATE)
    take_rate_slot(f"citizen:{address}", limit, per_seconds, now)
    if client != address:
        take_rate_slot(f"citizen-device:{client}", limit, per_seconds, now)
    ceiling = int(getattr(settings, "XIUHUA_ANON_REPORTS_PER_MINUTE", DEFAULT_ANON_PER_MINUTE))
    message = f"全区市民上报已达每分钟 {ceiling} 件的上限，请约 {{wait}} 分钟后再试；紧急情况请拨打 12345"
    take_rate_slot("citizen-district", ceiling, 60, now, message=message)


def report_by_citizen(
    data: ReportInput,
    photos: list,
    *,
    client: str,
    address: str | None = None,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> Accepted:
    """A citizen's report; the same key from the same client never makes a second case, and does not count twice.

    `address` is the fingerprint of the network address alone and `client` that of address plus the
    device id the client chose (the same when it sent none).
    """
    key = intake_key(f"citizen:{client}", idempotency_key)
    if (existing := already_accepted(key)) is not None:
        return Accepted(existing, False)
    take_citizen_slots(client, address or client, now)
    data.kind = _CLASS_KINDS.get(data.class_code)
    _check_citizen_report(data, photos)
    return accept_report(data, source=Source.CITIZEN, actor=None, photos=photos, key=key, now=now)
