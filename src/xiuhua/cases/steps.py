"""What each action of the workflow does to a case: its guard (may it happen?) and its step (what changes).

Steps set case fields, the statistics row and the notices to send, and return the new status; they never
save the case — `xiuhua.cases.workflow` does, with the event, in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import F

from xiuhua.accounts.choices import DepartmentKind, Role
from xiuhua.accounts.models import Department, User
from xiuhua.accounts.queries import department_visible, sees_division_code
from xiuhua.accounts.scope_index import sees_code
from xiuhua.cases import clock
from xiuhua.cases.choices import (
    CALLBACK_SOURCES,
    DEFAULT_SATISFACTION_SCORES,
    Action,
    AttachmentStage,
    ExtensionUnit,
    RequestKind,
    RequestState,
    Satisfaction,
    Stage,
)
from xiuhua.cases.choices import CaseStatus as S
from xiuhua.cases.loaded import remember
from xiuhua.cases.models import Case, CaseAttachment, CaseRequest, CaseStats
from xiuhua.catalog.models import RegisterCondition
from xiuhua.core import refcache
from xiuhua.core.errors import DomainError, PermissionDenied
from xiuhua.notify.models import MessageKind, NoticeKind
from xiuhua.notify.services import NoticeDraft
from xiuhua.worktime.clock import WorkCalendar

EXTENSION_LIMITS = {ExtensionUnit.HOURS: 240, ExtensionUnit.DAYS: 30}


@dataclass
class Step:
    """One action being applied: the locked case, who acts, with what input, and what it leads to."""

    case: Case
    actor: User | None
    action: str
    params: dict[str, Any]
    now: datetime
    calendar: WorkCalendar | None
    files: list = field(default_factory=list)
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    notices: list[tuple[list[User], NoticeDraft]] = field(default_factory=list)
    attachment_stage: str = ""
    _stats: CaseStats | None = None

    def __post_init__(self) -> None:
        self.note = self.note or str(self.params.get("note") or "").strip()

    @property
    def stats(self) -> CaseStats:
        if self._stats is None:
            loaded = self.case._state.fields_cache.get("stats")  # fetched with the row lock
            self._stats = loaded if loaded is not None else CaseStats.objects.get(case=self.case)
            if loaded is None:
                remember(self._stats)
        return self._stats

    def notify(self, recipients: Iterable[User], kind: str, title: str, body: str = "", reason: str = "") -> None:
        """A notice about this case; `reason` is the MessageKind when finer than the inbox `kind` (an approval
        waiting, a request refused), which decides its outside channels and template."""
        draft = NoticeDraft(
            kind=kind,
            title=title,
            body=body,
            subject=self.case.number,
            reason=reason,
            variables=case_variables(self.case),
        )
        self.notices.append((list(recipients), draft))


def case_variables(case: Case) -> dict[str, str]:
    """The template variables of a message about a case (notify.templating.CASE_VARIABLES). Never a contact:
    the address is the place, not the reporter's."""
    return {
        "case": case.number,
        "class_name": case.case_class.name if case.case_class_id else "",
        "address": case.address,
        "deadline": _local(case.handling_deadline) if case.handling_deadline else "",
    }


# -- who may act on this particular case


def actor_refusal(step: Step) -> str | None:
    """Why this actor may not act on this case (beyond the role), or None."""
    case, actor, action = step.case, step.actor, step.action
    if actor.role == Role.DEPARTMENT and (
        case.lead_department_id is None or case.lead_department_id != actor.department_id
    ):
        lead = case.lead_department.name if case.lead_department_id else "任何部门"
        return f"案卷 {case.number} 派遣给{lead}，不是你所在的部门"
    if actor.role == Role.INSPECTOR:
        if action == Action.SELF_HANDLE and case.reporter_id != actor.pk:
            return "只有上报该问题的监督员才能自处理"
        if action in (Action.VERIFY, Action.CHECK) and case.assigned_inspector_id not in (None, actor.pk):
            return f"该{'核实' if action == Action.VERIFY else '核查'}任务已派给其他监督员"
    return None


def actor_may_act(step: Step) -> bool:
    return actor_refusal(step) is None


def check_actor_may_act(step: Step) -> None:
    if (reason := actor_refusal(step)) is not None:
        raise PermissionDenied(reason)


# -- guards


def no_guard(step: Step) -> None:
    return None


def needs_reason(step: Step) -> None:
    if not step.note:
        raise DomainError("请填写理由（note）", code="reason_required")


def needs_note(step: Step) -> None:
    if not step.note:
        raise DomainError("请填写督办内容（note）", code="note_required")


def _inspector_param(step: Step) -> User | None:
    username = str(step.params.get("inspector") or "").strip()
    if not username:
        return None
    inspector = User.objects.filter(username=username, role=Role.INSPECTOR, is_active=True).first()
    if inspector is None:
        raise DomainError(f"没有名为「{username}」的在岗监督员", code="unknown_inspector")
    if not sees_division_code(inspector, step.case.grid_code):
        raise DomainError(f"监督员「{username}」不负责网格 {step.case.grid_code}", code="inspector_out_of_scope")
    return inspector


def verify_task_guard(step: Step) -> None:
    step.details["inspector"] = _inspector_param(step)


check_task_guard = verify_task_guard


def _result(step: Step) -> bool:
    value = step.params.get("result")
    if isinstance(value, str):
        value = {"true": True, "1": True, "passed": True, "false": False, "0": False, "failed": False}.get(
            value.strip().lower()
        )
    if not isinstance(value, bool):
        word = "核实" if step.action == Action.VERIFY else "核查"
        raise DomainError(f"请给出{word}结果 result（true 或 false）", code="result_required")
    return value


def inspector_result_guard(step: Step) -> None:
    _result(step)


def check_guard(step: Step) -> None:
    _result(step)
    if not step.files:
        raise DomainError("核查需上传现场照片", code="photo_required")


def _load_conditions() -> dict[int, tuple[RegisterCondition, ...]]:
    by_class: dict[int, list[RegisterCondition]] = {}
    rows = RegisterCondition.objects.filter(active=True).select_related("default_department")
    for condition in rows.order_by("case_class_id", "sort_order", "id"):
        by_class.setdefault(condition.case_class_id, []).append(condition)
    return {class_id: tuple(conditions) for class_id, conditions in by_class.items()}


def active_conditions(case_class_id: int) -> tuple[RegisterCondition, ...]:
    """The class's active register conditions in their order: reference data, memoised per process."""
    return refcache.memo("catalog.register_conditions", _load_conditions).get(case_class_id, ())


def _register_condition(step: Step) -> RegisterCondition:
    case = step.case
    wanted = step.params.get("register_condition")
    conditions = active_conditions(case.case_class_id)
    if wanted not in (None, ""):
        try:
            condition = next((c for c in conditions if c.pk == int(wanted)), None)
        except (TypeError, ValueError):
            condition = None
        if condition is None:
            raise DomainError(
                f"立案条件 {wanted} 不属于分类 {case.case_class.code} {case.case_class.name}", code="bad_condition"
            )
        return condition
    condition = (
        case.register_condition
        or next((c for c in conditions if c.urgency == case.urgency), None)
        or next(iter(conditions), None)
    )
    if condition is None:
        raise DomainError(
            f"分类 {case.case_class.code} {case.case_class.name} 没有立案条件，请先在基础数据中设置",
            code="no_condition",
        )
    return condition


def register_guard(step: Step) -> None:
    if step.case.verified is False:
        raise DomainError("该上报经核实不属实，不能立案；请「不予立案」", code="verified_false")
    step.details["condition"] = _register_condition(step)


def _dispatchable(step: Step, short_names: list[str]) -> dict[str, Department]:
    """Departments the dispatcher may send this case to: within their scope, and a sub-district only at home."""
    wanted = set(short_names)
    found = {
        d.short_name: d for d in active_departments() if d.short_name in wanted and department_visible(step.actor, d)
    }
    missing = [n for n in short_names if n not in found]
    if missing:
        raise DomainError(f"没有简码为「{'、'.join(missing)}」的在用部门", code="unknown_department")
    for department in found.values():
        if department.kind == DepartmentKind.SUBDISTRICT and not step.case.grid_code.startswith(
            department.division_code or "-"
        ):
            raise DomainError(f"案卷不在{department.name}辖区内，不能派给该街镇", code="outside_department")
    return found


def _load_departments() -> tuple[Department, ...]:
    return tuple(Department.objects.filter(active=True).order_by("kind", "name"))


def active_departments() -> tuple[Department, ...]:
    """Active departments in `visible_departments`' order: reference data, memoised per process."""
    return refcache.memo("accounts.active_departments", _load_departments)


def _department_param(step: Step, key: str = "department") -> Department | None:
    short = str(step.params.get(key) or "").strip()
    return _dispatchable(step, [short])[short] if short else None


def _assisting_param(step: Step, lead: Department) -> list[Department]:
    raw = step.params.get("assisting") or []
    names = [n.strip() for n in (raw.split(",") if isinstance(raw, str) else raw) if str(n).strip()]
    found = _dispatchable(step, names)
    if lead.short_name in found:
        raise DomainError(f"{lead.name}已是主办单位，不能同时为协办单位", code="bad_assisting")
    return list(found.values())


@dataclass(frozen=True)
class DispatchSuggestion:
    lead: Department | None
    reason: str
    assisting: list[Department] = field(default_factory=list)


# Routing sits above cases in the layering; it plugs its rules in here when the apps are ready.
_dispatch_suggesters: list[Callable[[Case, datetime], DispatchSuggestion]] = []


def register_dispatch_suggester(suggest: Callable[[Case, datetime], DispatchSuggestion]) -> None:
    if suggest not in _dispatch_suggesters:
        _dispatch_suggesters.append(suggest)


# Routing also says, per class, whether a registered case goes straight to the suggested unit.
_auto_dispatch_policies: list[Callable[[Case], bool]] = []


def register_auto_dispatch_policy(policy: Callable[[Case], bool]) -> None:
    if policy not in _auto_dispatch_policies:
        _auto_dispatch_policies.append(policy)


def dispatches_on_register(case: Case) -> bool:
    return any(policy(case) for policy in _auto_dispatch_policies)


def condition_default_department(case: Case) -> Department | None:
    return case.register_condition.default_department if case.register_condition_id else None


def suggested_dispatch(case: Case, at: datetime) -> DispatchSuggestion:
    """Who the case should go to now: the routing rules' answer, else the register condition's default unit."""
    for suggest in _dispatch_suggesters:
        return suggest(case, at)
    default = condition_default_department(case)
    if default is not None and default.active:
        return DispatchSuggestion(default, "立案条件的默认处置单位")
    return DispatchSuggestion(None, "立案条件没有默认处置单位")


def _dispatch_target(step: Step, required: bool) -> None:
    """Lead and assisting units: as the dispatcher chose, or as the routing rules suggest when they chose none."""
    lead = _department_param(step)
    assisting = None
    if lead is None and required:
        routing = suggested_dispatch(step.case, step.now)
        if routing.lead is None:
            raise DomainError(f"请选择主办单位（department）：{routing.reason}", code="department_required")
        lead, assisting = routing.lead, routing.assisting
        step.details["routing"] = routing.reason
    step.details["department"] = lead
    if "assisting" in step.params or assisting is None:
        assisting = _assisting_param(step, lead) if lead else []
    step.details["assisting"] = assisting


def dispatch_guard(step: Step) -> None:
    _dispatch_target(step, required=True)


def report_back_guard(step: Step) -> None:
    # Photos of this report-back: earlier rounds, checks and self-handling already left "after" photos.
    if not step.files:
        raise DomainError("反馈需上传处置后照片", code="photo_required")


def callback_guard(step: Step) -> None:
    case = step.case
    if case.source not in CALLBACK_SOURCES:
        raise DomainError("只有市民、热线和媒体来源的案卷需要回访", code="no_callback")
    if step.stats.callback_at is not None:
        raise DomainError(f"案卷 {case.number} 已于 {_local(step.stats.callback_at)} 回访", code="already_called_back")
    if case.status == S.MERGED and case.parent.status != S.CLOSED:
        raise DomainError(f"该反映已并入案卷 {case.parent.number}，待其结案后再回访", code="parent_not_closed")
    _satisfaction_param(step, "satisfaction", "满意度", required=True)
    _satisfaction_param(step, "service_satisfaction", "服务满意度", required=False)


def _satisfaction_param(step: Step, key: str, label: str, required: bool) -> None:
    value = str(step.params.get(key) or "")
    if value in Satisfaction.values or (not value and not required):
        return
    options = "、".join(f"{v}（{choice}）" for v, choice in Satisfaction.choices)
    raise DomainError(f"请给出{label} {key}：{options}", code="satisfaction_required")


def merge_guard(step: Step) -> None:
    """The parent: another open case the actor can see, itself not merged, same district."""
    from xiuhua.cases.queries import visible_cases  # queries imports workflow, which imports this module

    case = step.case
    number = str(step.params.get("parent") or "").strip()
    if not number:
        raise DomainError("请给出要并入的主案卷号 parent", code="parent_required")
    if number == case.number:
        raise DomainError("案卷不能并入它自己", code="bad_parent")
    parent = visible_cases(step.actor).filter(number=number).first()
    if parent is None:
        raise DomainError(f"没有找到主案卷 {number}", code="parent_not_found")
    if parent.status in (S.MERGED, S.CLOSED, S.DECLINED, S.VOIDED):
        raise DomainError(
            f"主案卷 {number} 当前为「{parent.get_status_display()}」，只能并入未办结的案卷", code="bad_parent"
        )
    if case.merged_reports.exists():
        raise DomainError(f"案卷 {case.number} 已有并入的反映，请把其他案卷并入它", code="bad_parent")
    step.details["parent"] = parent


def _not_overdue(step: Step) -> None:
    deadline = step.case.handling_deadline
    if step.case.handling_running_since is not None and deadline is not None and step.now > deadline:
        raise DomainError(f"处置已于 {_local(deadline)} 超期，不能再延期", code="already_overdue")


def extension_guard(step: Step) -> None:
    needs_reason(step)
    _not_overdue(step)
    unit = str(step.params.get("extension_unit") or "")
    if unit not in EXTENSION_LIMITS:
        raise DomainError("延期单位 extension_unit 应为 hours（小时）或 days（天）", code="bad_extension")
    try:
        value = int(step.params.get("extension_value"))
    except (TypeError, ValueError):
        value = 0
    limit = EXTENSION_LIMITS[unit]
    if not 1 <= value <= limit:
        word = "小时" if unit == ExtensionUnit.HOURS else "天"
        raise DomainError(f"延期时长 extension_value 应为 1 到 {limit} {word}的整数", code="bad_extension")
    step.details["extension"] = {"value": value, "unit": unit}


def approve_guard(step: Step) -> None:
    if step.case.status == S.EXTENSION_REQUESTED:
        _not_overdue(step)
    if step.case.status == S.RETURN_REQUESTED:
        _dispatch_target(step, required=False)


def self_handle_guard(step: Step) -> None:
    if not CaseAttachment.objects.filter(case=step.case, stage=AttachmentStage.BEFORE).exists():
        raise DomainError("自处理需有处置前照片（上报时上传）", code="photo_required")
    if not step.files:
        raise DomainError("自处理需上传处置后照片", code="photo_required")


def reopen_guard(step: Step) -> None:
    needs_reason(step)
    if step.case.lead_department_id is None:
        raise DomainError("该案卷未派遣过任何部门（如自处理结案），不能重新打开返工", code="no_department")


# -- recipients


def department_users(department_id: int | None) -> list[User]:
    if department_id is None:
        return []
    return list(User.objects.filter(role=Role.DEPARTMENT, department_id=department_id, is_active=True))


def role_users(role: str, case: Case) -> list[User]:
    """Active users of a role whose data scope covers the case's grid: one indexed query (accounts.scope_index)."""
    return list(User.objects.filter(sees_code(case.grid_code), role=role, is_active=True))


# -- steps


def start_report(step: Step) -> None:
    case = step.case
    clock.enter_stage(case, Stage.ACCEPT, step.calendar, step.now)
    step._stats = CaseStats(case=case, reported_at=step.now, reported_by=step.actor)


def accept(step: Step) -> str:
    stats = step.stats
    stats.accepted_at, stats.accepted_by = step.now, step.actor
    stats.accept_on_time = clock.leave_stage(step.case, step.now)
    clock.enter_stage(step.case, Stage.REGISTER, step.calendar, step.now)
    return S.ACCEPTED


def decline(step: Step) -> str:
    clock.leave_stage(step.case, step.now)
    step.stats.declined_at = step.now
    if step.case.reporter_id:
        step.notify([step.case.reporter], NoticeKind.INFO, f"案卷 {step.case.number} 不予立案", step.note)
    return S.DECLINED


def _send_inspector_task(step: Step, what: str) -> None:
    """Give a verify or check task to the named inspector, or to every inspector of the grid."""
    case = step.case
    case.assigned_inspector = step.details.pop("inspector")
    step.details["inspector"] = case.assigned_inspector.username if case.assigned_inspector else ""
    recipients = [case.assigned_inspector] if case.assigned_inspector else role_users(Role.INSPECTOR, case)
    # Notices never carry a contact: the public description has phones, ID numbers and e-mails removed.
    text = case.address or case.public_description[:60]
    step.notify(recipients, NoticeKind.TASK, f"{what}任务：案卷 {case.number}", text)


def send_verify(step: Step) -> str:
    _send_inspector_task(step, "核实")
    step.stats.verify_sent_at = step.now
    clock.enter_stage(step.case, Stage.VERIFY, step.calendar, step.now)
    return S.VERIFYING


def verify(step: Step) -> str:
    case, stats = step.case, step.stats
    case.verified = _result(step)
    step.details["result"] = case.verified
    step.attachment_stage = AttachmentStage.BEFORE
    stats.verified_at, stats.verified_by = step.now, step.actor
    stats.verify_on_time = clock.leave_stage(case, step.now)
    case.assigned_inspector = None
    clock.enter_stage(case, Stage.REGISTER, step.calendar, step.now)
    return S.ACCEPTED


def register(step: Step) -> str:
    case, stats = step.case, step.stats
    condition: RegisterCondition = step.details.pop("condition")
    case.register_condition = condition
    case.urgency = condition.urgency
    step.details["condition"] = {
        "id": condition.pk,
        "description": condition.description,
        "limit": condition.handling_limit_text,
    }
    stats.registered_at, stats.registered_by = step.now, step.actor
    stats.register_on_time = clock.leave_stage(case, step.now)
    clock.enter_stage(case, Stage.DISPATCH, step.calendar, step.now)
    return S.REGISTERED


def _dispatch_to(step: Step, lead: Department, assisting: list[Department]) -> str:
    """Hand the case to a lead unit (and assisting units) and start a new handling round."""
    case, stats = step.case, step.stats
    case.lead_department = lead
    # A registered case has no assisting units (a return clears them): nothing to look up when none are named.
    if assisting or step.case.status != S.REGISTERED:
        case.assisting_departments.set(assisting)
    step.details["department"] = lead.short_name
    step.details["department_name"] = lead.name
    step.details["assisting"] = [d.short_name for d in assisting]
    stats.dispatch_count += 1
    stats.first_dispatched_at = stats.first_dispatched_at or step.now
    stats.dispatched_at, stats.dispatched_by = step.now, step.actor
    if lead.pk not in stats.dispatched_department_ids:
        stats.dispatched_department_ids = [*stats.dispatched_department_ids, lead.pk]
    stats.accurate_dispatch = len(stats.dispatched_department_ids) == 1
    _start_handling_round(step)
    step.notify(
        department_users(lead.pk),
        NoticeKind.TASK,
        f"新派遣案卷 {case.number}：{case.case_class.name}",
        f"处置时限至 {_local(case.handling_deadline)}；{case.address}",
    )
    for unit in assisting:
        step.notify(department_users(unit.pk), NoticeKind.TASK, f"协办案卷 {case.number}：{case.case_class.name}")
    return S.DISPATCHED


def _start_handling_round(step: Step) -> None:
    case = step.case
    condition = case.register_condition
    allowance = step.calendar.limit_duration(condition.handling_limit_value, condition.handling_limit_unit)
    clock.start_handling(case, step.calendar, step.now, condition.handling_limit_unit, allowance)


def dispatch(step: Step) -> str:
    step.stats.dispatch_on_time = clock.leave_stage(step.case, step.now)
    return _dispatch_to(step, step.details.pop("department"), step.details.pop("assisting"))


def handle(step: Step) -> str:
    step.stats.handling_started_at = step.stats.handling_started_at or step.now
    return S.HANDLING


def report_back(step: Step) -> str:
    case, stats = step.case, step.stats
    on_time = clock.stop_handling(case, step.calendar, step.now)
    step.attachment_stage = AttachmentStage.AFTER
    stats.reported_back_at, stats.reported_back_by = step.now, step.actor
    stats.handled_by_department = case.lead_department
    stats.handling_deadline = case.handling_deadline
    stats.handling_on_time = on_time
    if on_time is False:
        stats.handling_overdue = True
    clock.enter_stage(case, Stage.CHECK, step.calendar, step.now)
    return S.HANDLED


def send_check(step: Step) -> str:
    _send_inspector_task(step, "核查")
    step.stats.check_sent_at = step.now
    return S.CHECKING


def check(step: Step) -> str:
    case, stats = step.case, step.stats
    passed = _result(step)
    step.details["result"] = passed
    step.attachment_stage = AttachmentStage.AFTER
    stats.checked_at, stats.checked_by = step.now, step.actor
    stats.check_on_time = clock.leave_stage(case, step.now)
    case.assigned_inspector = None
    if passed:
        clock.enter_stage(case, Stage.CLOSE, step.calendar, step.now)
        return S.CHECKED
    return _rework(step, "核查未通过")


def _rework(step: Step, why: str) -> str:
    """Back to the same lead unit for a new handling round; counted as rework."""
    case = step.case
    step.stats.rework_count += 1
    _start_handling_round(step)
    step.notify(
        department_users(case.lead_department_id), NoticeKind.TASK, f"返工：案卷 {case.number}（{why}）", step.note
    )
    return S.DISPATCHED


def close(step: Step) -> str:
    case, stats = step.case, step.stats
    stats.close_on_time = clock.leave_stage(case, step.now)
    stats.closed_at, stats.closed_by = step.now, step.actor
    case.closed_at = step.now
    _ask_callbacks_for_merged_reports(step)
    return S.CLOSED


def callback_due(case: Case, stats: CaseStats) -> bool:
    """Whether the reporter of this case is waiting for the callback (the operator's callback queue)."""
    if case.source not in CALLBACK_SOURCES or stats.callback_at is not None:
        return False
    return case.status == S.CLOSED or (case.status == S.MERGED and case.parent.status == S.CLOSED)


def _ask_callbacks_for_merged_reports(step: Step) -> None:
    if step.case.report_count <= 1:  # nothing was merged into it (a merge adds to the count)
        return
    waiting = step.case.merged_reports.filter(source__in=CALLBACK_SOURCES, stats__callback_at__isnull=True)
    waiting = waiting.update(callback_due=True)
    if waiting:
        step.notify(
            role_users(Role.OPERATOR, step.case),
            NoticeKind.TASK,
            f"案卷 {step.case.number} 已结案：并入的 {waiting} 条反映待回访",
        )


def satisfaction_score(value: str) -> int:
    scores = {**DEFAULT_SATISFACTION_SCORES, **getattr(settings, "XIUHUA_SATISFACTION_SCORES", {})}
    return scores[value]


def callback(step: Step) -> str:
    stats = step.stats
    value = str(step.params["satisfaction"])
    stats.callback_at, stats.callback_by = step.now, step.actor
    stats.satisfaction, stats.satisfaction_score = value, satisfaction_score(value)
    step.details["satisfaction"] = value
    if service := str(step.params.get("service_satisfaction") or ""):
        stats.service_satisfaction, stats.service_satisfaction_score = service, satisfaction_score(service)
        step.details["service_satisfaction"] = service
    return step.case.status


def merge(step: Step) -> str:
    """The report becomes one of the parent's reports: its own clock stops, its reporter is kept for the callback."""
    case = step.case
    parent: Case = step.details.pop("parent")
    clock.leave_stage(case, step.now)
    case.parent = parent
    step.details["parent"] = parent.number
    Case.objects.filter(pk=parent.pk).update(report_count=F("report_count") + case.report_count)
    return S.MERGED


# -- requests and their approval


def _open_request(step: Step, kind: str, target: str, approvers: list[User], title: str) -> str:
    case = step.case
    request = CaseRequest.objects.create(
        case=case,
        kind=kind,
        requested_by=step.actor,
        requested_at=step.now,
        department=step.actor.department if step.actor.role == Role.DEPARTMENT else None,
        reason=step.note,
        extension_value=(step.details.get("extension") or {}).get("value"),
        extension_unit=(step.details.get("extension") or {}).get("unit", ""),
        return_to=case.status,
    )
    step.details["request"] = request.pk
    case.resume_status = case.status
    step.notify(approvers, NoticeKind.TASK, f"{title}：案卷 {case.number}", step.note, MessageKind.APPROVAL)
    return target


def request_extension(step: Step) -> str:
    ext = step.details["extension"]
    word = "小时" if ext["unit"] == ExtensionUnit.HOURS else "天"
    return _open_request(
        step,
        RequestKind.EXTENSION,
        S.EXTENSION_REQUESTED,
        role_users(Role.DISPATCHER, step.case),
        f"延期申请（{ext['value']} {word}）",
    )


def request_return(step: Step) -> str:
    return _open_request(
        step, RequestKind.RETURN, S.RETURN_REQUESTED, role_users(Role.DISPATCHER, step.case), "回退申请"
    )


def request_suspension(step: Step) -> str:
    return _open_request(
        step, RequestKind.SUSPENSION, S.SUSPENSION_REQUESTED, role_users(Role.DISPATCHER, step.case), "挂账申请"
    )


def request_void(step: Step) -> str:
    # The department cannot act while the void waits, so its clock must not run either.
    clock.pause_handling(step.case, step.calendar, step.now)
    return _open_request(step, RequestKind.VOID, S.VOID_REQUESTED, role_users(Role.SHIFT_LEADER, step.case), "作废申请")


def self_handle(step: Step) -> str:
    step.attachment_stage = AttachmentStage.AFTER
    return _open_request(
        step, RequestKind.SELF_HANDLE, S.SELF_HANDLED, role_users(Role.OPERATOR, step.case), "自处理审核"
    )


def _pending_request(step: Step) -> CaseRequest:
    request = CaseRequest.objects.filter(case=step.case, state=RequestState.PENDING).first()
    if request is None:  # only if data were edited by hand: the status says a request waits
        raise DomainError(f"案卷 {step.case.number} 没有待审批的申请", code="no_request")
    return request


def _decide(step: Step, state: str) -> CaseRequest:
    request = _pending_request(step)
    request.state, request.decided_by, request.decided_at = state, step.actor, step.now
    request.decision_note = step.note
    request.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    step.details["request"] = request.pk
    step.case.resume_status = ""
    verdict = "已批准" if state == RequestState.APPROVED else "未批准"
    step.notify(
        [request.requested_by],
        NoticeKind.DECISION,
        f"{request.get_kind_display()}{verdict}：案卷 {step.case.number}",
        step.note,
        MessageKind.DECISION if state == RequestState.APPROVED else MessageKind.REFUSED,
    )
    return request


def approve(step: Step) -> str:
    request = _decide(step, RequestState.APPROVED)
    return _APPROVAL_STEPS[request.kind](step, request)


def _approve_extension(step: Step, request: CaseRequest) -> str:
    case, stats = step.case, step.stats
    extra = clock.extension_duration(case, step.calendar, request.extension_value, request.extension_unit)
    clock.extend_handling(case, step.calendar, extra)
    stats.extension_count += 1
    stats.extension_total += extra
    step.details["extension"] = {"value": request.extension_value, "unit": request.extension_unit}
    return request.return_to


def _approve_return(step: Step, request: CaseRequest) -> str:
    case = step.case
    step.stats.return_count += 1
    clock.clear_handling(case)
    step.details["returned_by"] = case.lead_department.short_name if case.lead_department_id else ""
    lead, assisting = step.details.pop("department", None), step.details.pop("assisting", [])
    case.lead_department = None
    case.assisting_departments.clear()
    if lead is not None:
        return _dispatch_to(step, lead, assisting)
    clock.enter_stage(case, Stage.DISPATCH, step.calendar, step.now)
    return S.REGISTERED


def _approve_suspension(step: Step, request: CaseRequest) -> str:
    clock.pause_handling(step.case, step.calendar, step.now)
    step.stats.suspension_count += 1
    step.case.resume_status = request.return_to
    return S.SUSPENDED


def _approve_void(step: Step, request: CaseRequest) -> str:
    clock.clear_handling(step.case)
    clock.leave_stage(step.case, step.now)
    step.stats.voided_at = step.now
    return S.VOIDED


def _approve_self_handled(step: Step, request: CaseRequest) -> str:
    case, stats = step.case, step.stats
    stats.self_handled = True
    stats.accepted_at, stats.accepted_by = step.now, step.actor
    stats.accept_on_time = clock.leave_stage(case, step.now)
    stats.closed_at, stats.closed_by = step.now, step.actor
    case.closed_at = step.now
    _ask_callbacks_for_merged_reports(step)
    return S.CLOSED


_APPROVAL_STEPS = {
    RequestKind.EXTENSION: _approve_extension,
    RequestKind.RETURN: _approve_return,
    RequestKind.SUSPENSION: _approve_suspension,
    RequestKind.VOID: _approve_void,
    RequestKind.SELF_HANDLE: _approve_self_handled,
}


def refuse(step: Step) -> str:
    request = _decide(step, RequestState.REFUSED)
    if request.kind == RequestKind.VOID and step.case.handling_unit and request.return_to in (S.DISPATCHED, S.HANDLING):
        clock.resume_handling(step.case, step.calendar, step.now)
    return request.return_to


def resume(step: Step) -> str:
    case = step.case
    target = case.resume_status or S.DISPATCHED
    clock.resume_handling(case, step.calendar, step.now)
    if case.handling_used >= case.handling_allowance:
        step.stats.handling_overdue = True
    case.resume_status = ""
    step.notify(
        department_users(case.lead_department_id),
        NoticeKind.INFO,
        f"挂账案卷 {case.number} 已恢复处置",
        f"处置时限至 {_local(case.handling_deadline)}",
    )
    return target


def urge(step: Step) -> str:
    case = step.case
    step.stats.urge_count += 1
    recipients = department_users(case.lead_department_id) or role_users(Role.DISPATCHER, case)
    step.notify(recipients, NoticeKind.URGE, f"督办：案卷 {case.number}", step.note)
    return case.status


def reopen(step: Step) -> str:
    case, stats = step.case, step.stats
    case.closed_at = None
    stats.closed_at = stats.closed_by = stats.close_on_time = None
    case.merged_reports.update(callback_due=False)
    return _rework(step, "结案后重新打开")


def _local(moment: datetime | None) -> str:
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"
