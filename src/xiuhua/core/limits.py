"""Text limits and the Chinese names of input fields, for messages people read.

Text over a limit is refused with the field and the limit named — never cut: a citizen's 20,000-character
description silently kept as 4,000 loses what they wrote without telling them. Forms and API errors name a field
by its Chinese label (`FIELD_LABELS`), not by its parameter name (`class_code`).
"""

from __future__ import annotations

from django import forms

from xiuhua.core.errors import DomainError

# Parameter name → what the person filling it in calls it (web forms, API bodies of the web pages).
FIELD_LABELS = {
    "class_code": "问题类别",
    "kind": "问题类型",
    "description": "问题描述",
    "content": "诉求内容",
    "lng": "经度",
    "lat": "纬度",
    "crs": "坐标系",
    "address": "地址",
    "name": "称呼",
    "phone": "联系电话",
    "email": "电子邮箱",
    "reporter_name": "反映人姓名",
    "reporter_phone": "反映人电话",
    "reporter_email": "反映人邮箱",
    "caller_name": "来电人姓名",
    "caller_phone": "来电号码",
    "confidential": "保密",
    "idempotency_key": "提交编号",
    "code": "查询码",
    "number": "案卷编号",
    "satisfaction": "满意度",
    "comment": "补充意见",
    "note": "意见",
    "order_number": "工单编号",
    "order_type": "诉求类型",
    "urgency": "紧急程度",
    "period": "统计周期",
    "month": "月份",
    "year": "年份",
    "department": "部门",
    "photos": "照片",
    "public_description": "公开描述",
    "alert_id": "告警编号",
    "unit": "计量单位",
    "snapshot_url": "抓拍图片地址",
}


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name)


def too_long_message(label: str, limit: int, length: int) -> str:
    return f"{label}不能超过 {limit} 字（现为 {length} 字）"


def check_length(label: str, value: str | None, limit: int) -> None:
    """Refuse `value` when it is longer than `limit` characters, naming the field and both lengths."""
    if value and len(value) > limit:
        raise DomainError(too_long_message(label, limit, len(value)), code="text_too_long")


class LimitedCharField(forms.CharField):
    """A text field whose limit is checked on the server with the field named, and not given to the browser as a
    `maxlength` (which cuts pasted text silently)."""

    def __init__(self, *, limit: int, label_text: str, **kwargs) -> None:
        self.limit, self.label_text = limit, label_text
        super().__init__(**kwargs)

    def validate(self, value: str) -> None:
        super().validate(value)
        if value and len(value) > self.limit:
            raise forms.ValidationError(too_long_message(self.label_text, self.limit, len(value)), code="max_length")
