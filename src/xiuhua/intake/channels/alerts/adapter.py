"""Sensor and video alerts. A registered device (one API key each) raises an alert of a known type; the type
maps to a catalogue class (dust over the limit → 08004 工地扬尘, an overflowing bin → 06042 垃圾站（箱）满溢).
Repeats from one device within the type's window fold into the open case instead of opening new ones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from xiuhua.accounts.models import ApiKey
from xiuhua.accounts.services import create_api_key
from xiuhua.cases.choices import Source
from xiuhua.cases.models import Case
from xiuhua.cases.queries import TERMINAL
from xiuhua.core.errors import DomainError, PermissionDenied
from xiuhua.core.limits import check_length
from xiuhua.intake.channels.alerts.models import Alert, AlertType, Device, DeviceKind
from xiuhua.intake.services import ReportInput, accept_report

CLOCK_SKEW = timedelta(minutes=5)
CASE_SOURCE = {DeviceKind.SENSOR: Source.SENSOR, DeviceKind.VIDEO: Source.VIDEO}


@dataclass
class AlertInput:
    device_id: str
    alert_type: str
    raised_at: datetime | None = None
    reading: float | None = None
    threshold: float | None = None
    unit: str = ""
    lng: float | None = None
    lat: float | None = None
    crs: str = "wgs84"
    snapshot_url: str = ""
    alert_id: str = ""
    description: str = ""


@dataclass(frozen=True)
class AlertOutcome:
    alert: Alert
    created: bool  # False: a retry of an alert already received

    @property
    def folded(self) -> bool:
        return self.alert.folded


def register_device(
    device_id: str,
    name: str,
    kind: str = DeviceKind.SENSOR,
    *,
    lng: float | None = None,
    lat: float | None = None,
    address: str = "",
) -> tuple[Device, str]:
    """A new device with its own API key; the key is returned once and never stored."""
    device_id = (device_id or "").strip()
    if not device_id or len(device_id) > 64:
        raise DomainError("设备编号应为 1 到 64 个字符", code="bad_device_id")
    if kind not in DeviceKind.values:
        raise DomainError("设备类型应为 sensor（感知设备）或 video（视频）", code="bad_kind")
    if Device.objects.filter(device_id=device_id).exists():
        raise DomainError(f"设备「{device_id}」已登记", code="duplicate_device")
    with transaction.atomic():
        api_key, key = create_api_key(f"设备 {device_id}")
        device = Device.objects.create(
            device_id=device_id, name=name or device_id, kind=kind, api_key=api_key, lng=lng, lat=lat, address=address
        )
    return device, key


def _device(client: ApiKey, device_id: str) -> Device:
    device = Device.objects.filter(device_id=(device_id or "").strip(), active=True).first()
    if device is None:
        raise DomainError(f"设备「{device_id}」未登记或已停用", code="unknown_device")
    if device.api_key_id != client.pk:
        raise PermissionDenied(f"此 API 密钥不属于设备「{device_id}」")
    return device


def _alert_type(code: str) -> AlertType:
    alert_type = AlertType.objects.select_related("case_class").filter(code=(code or "").strip()).first()
    if alert_type is None:
        known = "、".join(AlertType.objects.values_list("code", flat=True))
        raise DomainError(f"未知的报警类型 alert_type「{code}」，可用：{known}", code="unknown_alert_type")
    return alert_type


def _where(data: AlertInput, device: Device) -> tuple[float, float, str]:
    if data.lng is not None and data.lat is not None:
        return data.lng, data.lat, data.crs
    if device.lng is None or device.lat is None:
        raise DomainError("报警需带经纬度 lng/lat（设备登记时没有位置）", code="location_required")
    return device.lng, device.lat, "wgs84"


def _description(data: AlertInput, device: Device, alert_type: AlertType) -> str:
    text = f"{device.name}报警：{alert_type.name}"
    if data.reading is not None:
        text += f"，读数 {data.reading:g}{data.unit}"
        if data.threshold is not None:
            text += f"（阈值 {data.threshold:g}{data.unit}）"
    return text + (f"。{data.description.strip()}" if data.description.strip() else "")


def _open_case_of(device: Device, alert_type: AlertType, since: datetime) -> Case | None:
    """The case an earlier alert of this device and type opened, if it is still open and recent."""
    earlier = (
        Alert.objects.filter(device=device, alert_type=alert_type, folded=False, raised_at__gte=since)
        .exclude(case__status__in=TERMINAL)
        .select_related("case")
        .order_by("-raised_at", "-id")
        .first()
    )
    return earlier.case if earlier else None


def _check_alert(data: AlertInput) -> None:
    if data.raised_at is not None and timezone.is_naive(data.raised_at):
        raise DomainError("raised_at 需带时区，如 2026-11-23T09:00:00+08:00", code="bad_raised_at")
    if data.raised_at is not None and data.raised_at > timezone.now() + CLOCK_SKEW:
        raise DomainError("raised_at 晚于当前时间，请检查设备时钟", code="bad_raised_at")
    if data.snapshot_url and not data.snapshot_url.startswith(("http://", "https://")):
        raise DomainError("抓拍图片地址（snapshot_url）应为 http(s) 地址", code="bad_snapshot_url")
    for label, value, limit in (("告警编号", data.alert_id, 64), ("计量单位", data.unit, 16),
                                ("抓拍图片地址", data.snapshot_url, 500)):  # fmt: skip
        check_length(label, (value or "").strip(), limit)


def receive_alert(client: ApiKey, data: AlertInput, now: datetime | None = None) -> AlertOutcome:
    """Record an alert: fold it into the device's open case of that type, or open a new case."""
    _check_alert(data)
    device = _device(client, data.device_id)
    alert_type = _alert_type(data.alert_type)
    now = now or timezone.now()
    raised_at = data.raised_at or now
    with transaction.atomic():
        # One device's alerts are taken one at a time, so two at once cannot both open a case.
        Device.objects.select_for_update().filter(pk=device.pk).first()
        if data.alert_id and (seen := Alert.objects.filter(device=device, alert_id=data.alert_id).first()):
            return AlertOutcome(seen, False)
        lng, lat, crs = _where(data, device)
        alert = Alert(
            device=device,
            alert_type=alert_type,
            alert_id=data.alert_id.strip(),
            reading=data.reading,
            threshold=data.threshold,
            unit=data.unit,
            raised_at=raised_at,
            received_at=now,
            snapshot_url=data.snapshot_url,
        )
        case = _open_case_of(device, alert_type, raised_at - timedelta(hours=alert_type.fold_hours))
        if case is not None:
            Case.objects.filter(pk=case.pk).update(report_count=F("report_count") + 1)
            alert.folded = True
        else:
            report = ReportInput(
                class_code=alert_type.case_class.code,
                kind=alert_type.case_class.kind,
                description=_description(data, device, alert_type),
                lng=lng,
                lat=lat,
                crs=crs,
                address=device.address,
                urgency=alert_type.urgency,
            )
            accepted = accept_report(
                report,
                source=CASE_SOURCE[device.kind],
                actor=None,
                now=raised_at,
                details={"device": device.device_id, "alert_type": alert_type.code, "snapshot": data.snapshot_url},
            )
            case = accepted.case
        alert.case, alert.lng, alert.lat = case, case.lng, case.lat
        alert.save()
    return AlertOutcome(alert, True)
