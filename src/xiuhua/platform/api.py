"""The JSON API at /api/v1/ (django-ninja; OpenAPI at /api/v1/docs)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.parser import Parser

from xiuhua.accounts.api import BearerToken, departments_router
from xiuhua.accounts.api import router as auth_router
from xiuhua.campaigns.api import router as campaigns_router
from xiuhua.cases.api import router as cases_router
from xiuhua.catalog.api import router as catalog_router
from xiuhua.core.errors import DomainError
from xiuhua.core.limits import field_label, too_long_message
from xiuhua.core.strict_json import request_json
from xiuhua.evaluation.api import router as evaluation_router
from xiuhua.intake.api import router as intake_router
from xiuhua.intake.channels.alerts.api import router as alerts_router
from xiuhua.intake.channels.citizen.api import router as citizen_router
from xiuhua.intake.channels.hotline.api import router as hotline_router
from xiuhua.intake.channels.leader.api import router as leader_router
from xiuhua.intake.channels.staff.api import router as staff_router
from xiuhua.ledgers.api import router as ledgers_router
from xiuhua.ledgers.api_credit import router as ledgers_credit_router
from xiuhua.ledgers.api_documents import router as ledger_documents_router
from xiuhua.notify.api import router as messages_router
from xiuhua.patrol.api import router as patrol_router
from xiuhua.reports.api import router as reports_router
from xiuhua.territory.api import router as territory_router


class StrictJsonParser(Parser):
    """JSON bodies without NaN/Infinity, beyond-range numbers or deep nesting (Python's json allows them)."""

    def parse_body(self, request: HttpRequest):
        return request_json(request)  # ninja answers any parse failure with a 400


api = NinjaAPI(
    title="xiuhua API",
    version="1",
    description=(
        "绣花 城市精细化管理平台 — 接口。先 POST /api/v1/auth/token 取令牌，再以 Authorization: Bearer … 调用。"
        '出错时返回 {"detail": 中文说明, "code": 错误类别}。'
    ),
    auth=BearerToken(),
    urls_namespace="api-v1",
    parser=StrictJsonParser(),
)
api.add_router("/auth/", auth_router)
api.add_router("/", territory_router)
api.add_router("/", catalog_router)
api.add_router("/", departments_router)
api.add_router("/", cases_router)
api.add_router("/", intake_router)
api.add_router("/", staff_router)
api.add_router("/", citizen_router)
api.add_router("/", hotline_router)
api.add_router("/", alerts_router)
api.add_router("/", leader_router)
api.add_router("/", evaluation_router)
api.add_router("/", reports_router)
api.add_router("/", patrol_router)
api.add_router("/", messages_router)
api.add_router("/", campaigns_router)
api.add_router("/", ledger_documents_router)
api.add_router("/", ledgers_credit_router)
api.add_router("/", ledgers_router)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    body = {"detail": exc.message, "code": exc.code}
    if errors := getattr(exc, "errors", None):
        body["errors"] = [{"row": e.row, "column": e.column, "message": e.message} for e in errors]
    return api.create_response(request, body, status=exc.status_code)


# Parts of an error location that name where a value came from, not the value itself.
_LOCATION_WORDS = {"body", "query", "path", "payload", "form"}


def _field_name(loc: list) -> str:
    """The field as a person calls it (问题类别, not class_code); parts without a Chinese name keep theirs."""
    parts = [field_label(str(p)) for p in loc if p not in _LOCATION_WORDS]
    return ".".join(parts) or "请求"


def _bound(ctx: dict, key: str) -> str:
    value = ctx.get(key, "")
    return f"{value:g}" if isinstance(value, float) else str(value)


# Pydantic error types → Chinese wording; anything else keeps pydantic's own message.
_VALIDATION_MESSAGES: dict[str, Callable[[dict], str]] = {
    "missing": lambda ctx: "缺少此参数",
    "float_parsing": lambda ctx: "应为数字",
    "float_type": lambda ctx: "应为数字",
    "finite_number": lambda ctx: "应为有限数字",
    "int_parsing": lambda ctx: "应为整数",
    "int_type": lambda ctx: "应为整数",
    "int_from_float": lambda ctx: "应为整数",
    "bool_parsing": lambda ctx: "应为 true 或 false",
    "bool_type": lambda ctx: "应为 true 或 false",
    "string_type": lambda ctx: "应为字符串",
    "date_parsing": lambda ctx: "应为日期，如 2026-01-31",
    "date_from_datetime_parsing": lambda ctx: "应为日期，如 2026-01-31",
    "datetime_parsing": lambda ctx: "应为时间，如 2026-01-31T08:30:00+08:00",
    "datetime_from_date_parsing": lambda ctx: "应为时间，如 2026-01-31T08:30:00+08:00",
    "greater_than": lambda ctx: f"应大于 {_bound(ctx, 'gt')}",
    "greater_than_equal": lambda ctx: f"不能小于 {_bound(ctx, 'ge')}",
    "less_than": lambda ctx: f"应小于 {_bound(ctx, 'lt')}",
    "less_than_equal": lambda ctx: f"不能大于 {_bound(ctx, 'le')}",
    "string_too_short": lambda ctx: f"至少 {_bound(ctx, 'min_length')} 个字符",
    "string_too_long": lambda ctx: f"最多 {_bound(ctx, 'max_length')} 个字符",
    "string_pattern_mismatch": lambda ctx: "格式不正确",
    "literal_error": lambda ctx: "应为以下之一：" + _bound(ctx, "expected").replace(" or ", ", ").replace("'", ""),
    "enum": lambda ctx: "应为以下之一：" + _bound(ctx, "expected").replace(" or ", ", ").replace("'", ""),
    "json_invalid": lambda ctx: "不是合法的 JSON",
    "model_attributes_type": lambda ctx: "格式不正确",
    "dict_type": lambda ctx: "应为 JSON 对象",
    "list_type": lambda ctx: "应为列表",
    "too_long": lambda ctx: f"最多 {_bound(ctx, 'max_length')} 项",
    "extra_forbidden": lambda ctx: "不认识的字段",
}


def _problem(error: dict) -> str:
    kind, given = error.get("type", ""), error.get("input")
    if kind == "string_too_long" and isinstance(given, str):  # the limit and what was sent, as the forms say it
        return too_long_message(
            _field_name(error.get("loc", [])), (error.get("ctx") or {}).get("max_length"), len(given)
        )
    translate = _VALIDATION_MESSAGES.get(kind)
    # Pydantic's own messages are English: an unlisted type gets a plain Chinese "wrong format".
    text = translate(error.get("ctx") or {}) if translate else "格式不正确"
    return f"{_field_name(error.get('loc', []))}：{text}"


def _plain(error: dict) -> dict:
    """An error entry with only JSON-safe parts (ctx may hold exception objects)."""
    return {k: error[k] for k in ("type", "loc", "msg") if k in error}


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = [_problem(e) for e in exc.errors]
    return api.create_response(
        request,
        {
            "detail": "请求参数不正确：" + "；".join(problems),
            "code": "invalid_request",
            "errors": [_plain(e) for e in exc.errors],
        },
        status=422,
    )


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"detail": "未登录或令牌无效，请先获取令牌", "code": "not_authenticated"}, status=401
    )
