"""Token login and the bearer authentication every other endpoint uses."""

from typing import Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.security import HttpBearer

from xiuhua.accounts import queries, services
from xiuhua.accounts.models import Department, User
from xiuhua.core.api_schemas import ErrorOut


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = services.user_for_token(token)
        if user is not None:
            request.user = user
        return user


router = Router(tags=["auth"])


class TokenRequest(Schema):
    username: str
    password: str


class TokenResponse(Schema):
    token: str
    username: str
    role: str


@router.post("/token", auth=None, response=TokenResponse, summary="Log in and get a bearer token")
def create_token(request: HttpRequest, payload: TokenRequest) -> dict:
    key = services.issue_api_token(payload.username, payload.password)
    user = User.objects.get(username=payload.username)
    return {"token": key, "username": user.username, "role": user.role}


# --- departments --------------------------------------------------------------------------------------


class DepartmentFilters(Schema):
    kind: Literal["professional", "subdistrict", "company"] | None = Field(
        None, description="professional 专业部门、subdistrict 街道（镇）、company 企业"
    )
    active: bool | None = Field(True, description="true 只列启用的部门（默认），false 只列停用的")


class DepartmentOut(Schema):
    id: int
    name: str
    short_name: str = Field(..., description="部门简码，筛选和账号名中使用")
    short_label: str = Field(..., description="简称")
    kind: str
    kind_label: str
    division_code: str = Field(..., description="街道（镇）部门的区划代码，其他为空")
    contact_person: str
    contact_phone: str
    active: bool

    @staticmethod
    def resolve_kind_label(obj: Department) -> str:
        return str(obj.get_kind_display())


departments_router = Router(tags=["accounts"])


@departments_router.get(
    "/departments",
    response={200: list[DepartmentOut], 401: ErrorOut, 422: ErrorOut},
    summary="处置部门列表",
    description="专业部门、企业，以及本人数据范围内的街道（镇）。",
)
def list_departments(request: HttpRequest, filters: Query[DepartmentFilters]) -> QuerySet[Department]:
    return queries.visible_departments(request.auth, kind=filters.kind, active=filters.active)
