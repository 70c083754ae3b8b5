from django.core.management.base import BaseCommand, CommandError

from xiuhua.core.errors import DomainError
from xiuhua.territory.reverse_geocoding import reverse_geocode
from xiuhua.territory.services import locate_point


class Command(BaseCommand):
    help = "查询坐标所在的单元网格、社区、街道和区县。Prints the unit grid and divisions of a point."

    def add_arguments(self, parser):
        parser.add_argument("lng", type=float, help="经度")
        parser.add_argument("lat", type=float, help="纬度")
        parser.add_argument("--crs", default="wgs84", help="坐标系：wgs84（默认）、cgcs2000、gcj02、bd09")

    def handle(self, *args, lng, lat, crs, **options):
        try:
            where = locate_point(lng, lat, crs)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        lines = [
            f"单元网格：{where.grid_code}",
            f"社区（村）：{where.community_name}（{where.community_code}）",
            f"街道（镇）：{where.subdistrict_name}（{where.subdistrict_code}）",
            f"区县：{where.district_name}（{where.district_code}）",
            f"WGS84 坐标：{where.lng:.6f}, {where.lat:.6f}",
        ]
        place = reverse_geocode(where.lng, where.lat, community_name=where.community_name)
        if place is not None:
            lines.insert(0, f"地址：{place.text}（{place.precision}）")
        self.stdout.write("\n".join(lines))
