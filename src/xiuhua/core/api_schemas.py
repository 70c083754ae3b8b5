"""Schemas every API router shares: the error body and the error responses to document."""

from ninja import Field, Schema


class ErrorOut(Schema):
    detail: str = Field(..., description="错误说明（中文）")
    code: str | None = Field(None, description="错误类别，如 not_found、invalid_bbox、conflict")


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
