"""Patrol services: 上岗/下岗, batches stored once, validation, and the shift's duration and distance."""

from datetime import timedelta

import pytest

from xiuhua.accounts.models import User
from xiuhua.core.errors import DomainError, PermissionDenied
from xiuhua.patrol import services
from xiuhua.patrol.choices import EndReason, PointFlag
from xiuhua.patrol.distance import geodesic_m
from xiuhua.patrol.models import PatrolShift, PatrolTrack
from xiuhua.patrol.services import PointIn
from xiuhua.patrol.tests.conftest import minutes_ago, walk

pytestmark = pytest.mark.django_db


def test_going_on_duty_twice_keeps_one_open_shift(inspector):
    first, created = services.start_shift(inspector)
    again, created_again = services.start_shift(inspector)
    assert created and not created_again and again.pk == first.pk
    assert PatrolShift.objects.filter(inspector=inspector, ended_at__isnull=True).count() == 1


def test_only_inspectors_go_on_duty(demo_city):
    with pytest.raises(PermissionDenied, match="只用于监督员"):
        services.start_shift(User.objects.get(username="operator"))


def test_a_resent_batch_is_stored_once(inspector, beat):
    services.start_shift(inspector, minutes_ago(20))
    batch = walk(beat, minutes_ago(15), 10)
    first = services.add_points(inspector, batch)
    second = services.add_points(inspector, batch)
    assert (first.accepted, first.duplicates) == (10, 0)
    assert (second.accepted, second.duplicates) == (0, 10)
    assert PatrolTrack.objects.filter(inspector=inspector).count() == 10


def test_a_point_twice_in_one_batch_is_stored_once(inspector, beat):
    services.start_shift(inspector, minutes_ago(20))
    point = walk(beat, minutes_ago(10), 1)[0]
    result = services.add_points(inspector, [point, point])
    assert (result.accepted, result.duplicates) == (1, 1)


def test_future_old_and_off_duty_points_are_refused_with_reasons(inspector, beat):
    services.start_shift(inspector, minutes_ago(20))
    future = PointIn(minutes_ago(-10), *beat, 5.0)
    ancient = PointIn(minutes_ago(60 * 30), *beat, 5.0)
    before_shift = PointIn(minutes_ago(40), *beat, 5.0)
    good = PointIn(minutes_ago(5), *beat, 5.0)
    result = services.add_points(inspector, [future, ancient, before_shift, good])
    assert result.accepted == 1
    reasons = dict(result.rejected)
    assert "晚于服务器当前时间" in reasons[0]
    assert "不再接收" in reasons[1]
    assert "不在任何在岗时段内" in reasons[2]


def test_points_outside_the_district_are_kept_but_flagged_and_not_counted(inspector, beat):
    shift, _ = services.start_shift(inspector, minutes_ago(20))
    far = (beat[0] + 5.0, beat[1])  # hundreds of kilometres east
    result = services.add_points(inspector, walk(far, minutes_ago(10), 5))
    assert result.accepted == 5 and result.flagged == 5
    assert set(PatrolTrack.objects.values_list("flag", flat=True)) == {PointFlag.OUTSIDE}
    shift.refresh_from_db()
    assert shift.distance_m == 0


def test_distance_is_geodesic_along_the_track(inspector, beat):
    shift, _ = services.start_shift(inspector, minutes_ago(30))
    points = walk(beat, minutes_ago(20), 21)  # 20 steps of 0.0003° east
    services.add_points(inspector, points)
    shift.refresh_from_db()
    expected = geodesic_m(points[0].lng, points[0].lat, points[-1].lng, points[-1].lat)
    assert shift.distance_m == pytest.approx(expected, rel=1e-6)
    assert 500 < shift.distance_m < 620
    assert shift.point_count == 21


def test_jitter_within_the_accuracy_adds_no_distance(inspector, beat):
    shift, _ = services.start_shift(inspector, minutes_ago(30))
    start = minutes_ago(20)
    # Standing still: fixes scattered ±10 m with an accuracy of 15 m.
    wobble = [(0, 0), (0.0001, 0), (-0.00005, 0.00008), (0.00008, -0.00005), (0, 0.0001)] * 4
    points = [
        PointIn(start + timedelta(seconds=30 * i), beat[0] + dx, beat[1] + dy, 15.0)
        for i, (dx, dy) in enumerate(wobble)
    ]
    services.add_points(inspector, points)
    shift.refresh_from_db()
    assert shift.distance_m == 0


def test_a_jump_faster_than_the_speed_limit_is_flagged_and_not_counted(inspector, beat):
    shift, _ = services.start_shift(inspector, minutes_ago(30))
    start = minutes_ago(20)
    before = walk(beat, start, 5)
    # 30 s later, 575 m further east (69 km/h), then walking on from there.
    after = walk((beat[0] + 0.006, beat[1]), start + timedelta(seconds=150), 5)
    result = services.add_points(inspector, before + after)
    assert result.flagged == 1
    assert PatrolTrack.objects.get(flag=PointFlag.JUMP).lng == pytest.approx(after[0].lng)
    shift.refresh_from_db()
    walked = 8 * geodesic_m(beat[0], beat[1], beat[0] + 0.0003, beat[1])
    assert shift.distance_m == pytest.approx(walked, rel=1e-3)


def test_a_late_batch_from_earlier_recounts_the_same_distance(inspector, beat):
    shift, _ = services.start_shift(inspector, minutes_ago(40))
    points = walk(beat, minutes_ago(30), 30, dlng=0.0001)
    services.add_points(inspector, points[15:])  # the later half arrives first
    services.add_points(inspector, points[:15])  # then what the phone kept offline
    shift.refresh_from_db()
    in_order, _ = services.start_shift(User.objects.get(username="inspector_2"), minutes_ago(40))
    expected = geodesic_m(points[0].lng, points[0].lat, points[-1].lng, points[-1].lat)
    assert shift.distance_m == pytest.approx(expected, rel=1e-6)
    assert shift.point_count == 30
    assert in_order.distance_m == 0


def test_duration_runs_from_going_on_duty_to_going_off(inspector, beat):
    shift, _ = services.start_shift(inspector, minutes_ago(90))
    ended = services.end_shift(inspector, minutes_ago(30))
    assert ended.pk == shift.pk and ended.end_reason == EndReason.INSPECTOR
    assert services.duration_s(ended) == 3600
    assert services.end_shift(inspector).pk == shift.pk  # a re-sent 下岗 changes nothing


def test_going_off_duty_without_a_shift_is_refused(inspector):
    with pytest.raises(DomainError, match="当前未在岗"):
        services.end_shift(inspector)


def test_a_silent_phone_is_taken_off_duty_at_its_last_position(inspector, beat, settings):
    settings.XIUHUA_PATROL_IDLE_MINUTES = 30
    shift, _ = services.start_shift(inspector, minutes_ago(120))
    services.add_points(inspector, walk(beat, minutes_ago(100), 3))
    quiet, _ = services.start_shift(User.objects.get(username="inspector_2"), minutes_ago(10))
    assert services.close_idle_shifts() == 1
    shift.refresh_from_db()
    assert shift.end_reason == EndReason.IDLE
    assert shift.ended_at == shift.last_point_at == minutes_ago(100) + timedelta(seconds=60)
    assert PatrolShift.objects.get(pk=quiet.pk).on_duty


def test_positions_after_an_idle_close_stretch_and_reopen_the_shift(inspector, beat, settings):
    settings.XIUHUA_PATROL_IDLE_MINUTES = 30
    shift, _ = services.start_shift(inspector, minutes_ago(120))
    services.add_points(inspector, walk(beat, minutes_ago(100), 2))
    services.close_idle_shifts()
    services.add_points(inspector, walk(beat, minutes_ago(5), 2))  # the phone was offline, not off duty
    shift.refresh_from_db()
    assert shift.on_duty and shift.point_count == 4


def test_inspector_figures_sum_hours_and_kilometres_of_the_period(inspector, beat):
    start = minutes_ago(24 * 60)
    services.start_shift(inspector, minutes_ago(180))
    points = walk(beat, minutes_ago(170), 41, dlng=0.0001)  # 40 steps of about 9.6 m
    services.add_points(inspector, points)
    services.end_shift(inspector, minutes_ago(60))
    figures = services.inspector_figures(start, minutes_ago(0))
    assert figures[inspector.pk]["on_duty_hours"] == 2.0
    walked_km = geodesic_m(points[0].lng, points[0].lat, points[-1].lng, points[-1].lat) / 1000
    assert figures[inspector.pk]["patrol_km"] == pytest.approx(walked_km, abs=0.005)
    assert 0.35 < walked_km < 0.4
