"""Notice recipients by SQL: the users whose scope covers a place, as the Python scope check says, in one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import User
from xiuhua.accounts.queries import sees_division_code
from xiuhua.accounts.scope_index import sees_code
from xiuhua.cases.models import Case
from xiuhua.cases.steps import role_users
from xiuhua.territory.models import UnitGrid

pytestmark = pytest.mark.django_db


def test_the_query_finds_exactly_the_users_the_scope_check_finds_for_every_grid(demo_city):
    User.objects.create(username="blank_scope", role=Role.INSPECTOR, scope_division_codes=["", "  "])
    User.objects.create(username="padded", role=Role.DISPATCHER, scope_division_codes=[" 330424001 "])
    users = list(User.objects.all())
    for code in UnitGrid.objects.values_list("code", flat=True)[:40]:
        by_sql = set(User.objects.filter(sees_code(code)).values_list("username", flat=True))
        assert by_sql == {u.username for u in users if sees_division_code(u, code)}, code


def test_an_empty_scope_is_told_of_nothing_and_a_scope_edit_counts_at_once(demo_city):
    case = Case(grid_code=UnitGrid.objects.order_by("code").values_list("code", flat=True).first())
    dispatcher = User.objects.create(username="new_dispatcher", role=Role.DISPATCHER, scope_division_codes=[])
    assert dispatcher not in role_users(Role.DISPATCHER, case)
    dispatcher.scope_division_codes = [case.grid_code[:9]]
    dispatcher.save()
    assert dispatcher in role_users(Role.DISPATCHER, case)
    dispatcher.scope_division_codes = ["330424999"]
    dispatcher.save(update_fields=["scope_division_codes"])
    assert dispatcher not in role_users(Role.DISPATCHER, case)


def test_the_recipients_of_a_role_are_one_query(demo_city):
    case = Case(grid_code=UnitGrid.objects.order_by("code").values_list("code", flat=True).first())
    with CaptureQueriesContext(connection) as ctx:
        inspectors = role_users(Role.INSPECTOR, case)
    assert len(ctx.captured_queries) == 1
    assert inspectors and all(sees_division_code(u, case.grid_code) for u in inspectors)


def test_the_in_memory_department_rule_agrees_with_the_query_for_every_user(demo_city):
    from xiuhua.accounts.models import Department
    from xiuhua.accounts.queries import department_visible, visible_departments

    User.objects.create(username="town_dispatcher", role=Role.DISPATCHER, scope_division_codes=["330424001001"])
    departments = list(Department.objects.filter(active=True))
    for user in User.objects.all():
        by_query = set(visible_departments(user).values_list("pk", flat=True))
        assert by_query == {d.pk for d in departments if department_visible(user, d)}, user.username
