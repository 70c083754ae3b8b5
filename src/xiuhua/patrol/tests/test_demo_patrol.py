"""The demo city's patrol tracks: recent shifts at walking pace inside the district, one inspector out now."""

from datetime import timedelta

import pytest
from django.utils import timezone

from xiuhua.patrol.models import PatrolShift, PatrolTrack
from xiuhua.patrol.services import district_bounds, duration_s
from xiuhua.platform.demo_patrol import build_demo_patrol

pytestmark = pytest.mark.django_db


def test_demo_inspectors_walk_their_area_at_walking_pace(demo_city):
    # A fixed evening (yesterday 20:00 local): how many of today's shifts have begun, and so which random walk each
    # shift gets, would otherwise depend on the hour the suite runs.
    evening = timezone.localtime().replace(hour=20, minute=0, second=0, microsecond=0) - timedelta(days=1)
    result = build_demo_patrol(days=2, inspectors=2, now=evening)
    assert result.shifts >= 8 and result.points > 2000
    assert PatrolShift.objects.filter(ended_at__isnull=True).count() == 1
    west, south, east, north = district_bounds()
    # GPS noise takes a few positions on the district's edge just outside it; nothing is far off.
    assert PatrolTrack.objects.exclude(flag="").count() < 0.02 * PatrolTrack.objects.count()
    assert not PatrolTrack.objects.filter(lng__lt=west - 0.001).exists()
    assert not PatrolTrack.objects.filter(lat__gt=north + 0.001).exists()
    for shift in PatrolShift.objects.filter(ended_at__isnull=False):
        km_per_hour = shift.distance_m / 1000 / (duration_s(shift) / 3600)
        assert 1.5 < km_per_hour < 5.5, shift
