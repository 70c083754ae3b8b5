"""Message templates: the variables each kind of message carries, checking a template an administrator typed,
and rendering a message's text from it.

Templates are Django template syntax restricted to variables, filters and `{% if %}`: an SMS template is text
that a provider approves once, so anything that could read other data (`{% include %}`, `{% load %}`) or loop
is refused when the template is saved.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from django.template import Context, Engine, Template, TemplateSyntaxError
from django.template.base import FilterExpression, Node, TextNode, Variable, VariableNode
from django.template.defaulttags import CommentNode, IfNode

from xiuhua.notify.models import MessageKind

# Every message has these: its title, the caller's own text and the absolute link to what it is about.
COMMON_VARIABLES = {"title": "标题", "text": "正文（未用模板时的原文）", "link": "链接"}
CASE_VARIABLES = {
    "case": "案卷编号",
    "class_name": "案件类别",
    "address": "发生地址",
    "deadline": "时限（年-月-日 时:分）",
    "body": "说明（如申请理由、批示）",
}
CITIZEN_VARIABLES = {
    "case": "案卷编号",
    "class_name": "案件类别",
    "address": "发生地址",
    "work_order": "热线工单编号（来电反映时）",
    "code": "查询码",
}

# The variables each kind of message gets, with what they mean (shown in the admin next to the template).
KIND_VARIABLES: dict[str, dict[str, str]] = {
    **{
        kind: CASE_VARIABLES
        for kind in (
            MessageKind.TASK,
            MessageKind.APPROVAL,
            MessageKind.URGE,
            MessageKind.WARNING,
            MessageKind.OVERDUE,
            MessageKind.REFUSED,
            MessageKind.DECISION,
            MessageKind.INFO,
        )
    },
    MessageKind.CITIZEN_RECEIPT: CITIZEN_VARIABLES,
    MessageKind.CITIZEN_CLOSURE: CITIZEN_VARIABLES,
    MessageKind.SHOP_REMINDER: {"shop": "商铺名称", "street": "所在街道", "body": "提醒内容"},
    MessageKind.VITAL_SIGN: {"sensor": "监测点", "reading": "读数", "body": "说明"},
}

# Example values for the admin's preview of a template.
SAMPLE_VALUES = {
    "case": "20261207-0001",
    "class_name": "暴露垃圾",
    "address": "人民路 1 号",
    "deadline": "2026-12-08 17:00",
    "body": "请尽快处置",
    "title": "新派遣案卷 20261207-0001：暴露垃圾",
    "text": "新派遣案卷 20261207-0001：暴露垃圾。处置时限至 2026-12-08 17:00",
    "link": "https://cg.example.gov.cn/cases/20261207-0001/",
    "shop": "老王面馆",
    "street": "人民街道",
    "sensor": "1 号积水监测点",
    "reading": "水深 32 厘米",
}


def variables_of(kind: str) -> dict[str, str]:
    """Every variable a template of `kind` may use, with its meaning."""
    return {**KIND_VARIABLES.get(kind, {}), **COMMON_VARIABLES}


@lru_cache(maxsize=1)
def engine() -> Engine:
    # Plain text, not HTML: "&" in an address must reach the phone as "&", not "&amp;". No libraries to load.
    return Engine(autoescape=False, libraries={}, builtins=None)


def compile_template(source: str) -> Template:
    return engine().from_string(source)


def _names_in_expression(expression) -> set[str]:
    """Variable names read by a filter expression or an `{% if %}` condition (operators nest)."""
    if isinstance(expression, FilterExpression):
        names = set()
        if isinstance(expression.var, Variable) and expression.var.lookups:
            names.add(expression.var.lookups[0])
        for _func, args in expression.filters:
            for is_var, arg in args:
                if is_var and isinstance(arg, Variable) and arg.lookups:
                    names.add(arg.lookups[0])
        return names
    names = set()
    for part in ("value", "first", "second"):
        inner = getattr(expression, part, None)
        if inner is not None and inner is not expression:
            names |= _names_in_expression(inner)
    return names


def _walk(nodes) -> tuple[set[str], set[str]]:
    """(variable names used, tag names not allowed) in a node list."""
    names: set[str] = set()
    refused: set[str] = set()
    for node in nodes:
        if isinstance(node, TextNode | CommentNode):
            continue
        if isinstance(node, VariableNode):
            names |= _names_in_expression(node.filter_expression)
        elif isinstance(node, IfNode):
            for condition, children in node.conditions_nodelists:
                if condition is not None:
                    names |= _names_in_expression(condition)
                inner_names, inner_refused = _walk(children)
                names, refused = names | inner_names, refused | inner_refused
        elif isinstance(node, Node):
            token = getattr(node, "token", None)
            refused.add(token.contents.split()[0] if token else type(node).__name__)
    return names, refused


def required_variables(template: Template) -> set[str]:
    """Variables printed outside any `{% if %}`: without them the text would have a hole."""
    names: set[str] = set()
    for node in template.nodelist:
        if isinstance(node, VariableNode):
            names |= _names_in_expression(node.filter_expression)
    return names


def template_problem(kind: str, source: str) -> str:
    """Why `source` cannot be a template of `kind` (in Chinese), or "" when it can."""
    return source_problem(source, variables_of(kind))


def source_problem(source: str, known: Iterable[str]) -> str:
    """Why `source` cannot be a message text over the variables `known` (in Chinese), or "" when it can."""
    known = list(known)
    try:
        template = compile_template(source)
    except TemplateSyntaxError:
        # Django's own message is English and names parser internals: say what to check instead.
        return "模板语法错误：请检查 {{ }} 与 {% %} 是否成对，{% if %} 是否以 {% endif %} 结束"
    names, refused = _walk(template.nodelist)
    if refused:
        return f"模板中只能使用变量和 if 判断，不能使用：{'、'.join(sorted(refused))}"
    unknown = names - set(known)
    if unknown:
        return f"未知的变量：{'、'.join(sorted(unknown))}（可用：{'、'.join(known)}）"
    return ""


def preview(kind: str, source: str) -> str:
    """The template rendered with example values (for the admin), or why it cannot be."""
    problem = template_problem(kind, source)
    if problem:
        return problem
    values = {name: SAMPLE_VALUES.get(name, name) for name in variables_of(kind)}
    return compile_template(source).render(Context(values)).strip()


def render(source: str, variables: dict) -> str | None:
    """The text of `source` with `variables`, or None when a variable the template prints (outside `{% if %}`)
    is missing: the caller keeps its own text rather than send an SMS with a hole in it."""
    try:
        template = compile_template(source)
    except TemplateSyntaxError:
        return None
    if required_variables(template) - {name for name, value in variables.items() if value not in (None, "")}:
        return None
    return template.render(Context(variables)).strip()
