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
            request.api_token = token  # so that logout can end this token and no other
        return user


router = Router(tags=["auth"])


class TokenRequest(Schema):
    username: str
    password: str


class TokenResponse(Schema):
    token: str
    username: str
    role: str


class PasswordChangeRequest(Schema):
    username: str
    old_password: str
    new_password: str


class DoneOut(Schema):
    detail: str


@router.post(
    "/token",
    auth=None,
    response={200: TokenResponse, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Log in and get a bearer token",
    description=(
        "令牌有效期见 XIUHUA_TOKEN_TTL_DAYS（默认 7 天）。同一账号在同一地址连续登录失败 5 次后锁定 15 分钟（429, "
        'code "locked"）；密码过期或由管理员重置时答 403, code "password_expired"，请先调用 /auth/password。'
    ),
)
def create_token(request: HttpRequest, payload: TokenRequest) -> dict:
    user, key = services.issue_api_token(request, payload.username, payload.password)
    return {"token": key, "username": user.username, "role": user.role}


@router.post(
    "/logout",
    response={200: DoneOut, 401: ErrorOut},
    summary="Log out: end the bearer token of this request",
)
def logout(request: HttpRequest) -> dict:
    services.revoke_token(request.api_token, actor=request.auth)
    return {"detail": "已退出登录，令牌已失效"}


@router.post(
    "/password",
    auth=None,
    response={200: DoneOut, 400: ErrorOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Change one's password (also when it has expired)",
    description="用原密码证明身份，新密码须符合密码规则；修改后该账号的所有令牌失效，需重新获取令牌。",
)
def change_password(request: HttpRequest, payload: PasswordChangeRequest) -> dict:
    services.change_own_password(request, payload.username, payload.old_password, payload.new_password)
    return {"detail": "密码已修改，请用新密码重新获取令牌"}


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
