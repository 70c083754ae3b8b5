"""Links that open a case's point in the phone's map app, for field staff walking or driving there.

Stored points are WGS84/CGCS2000. Each app is given the coordinates in the system it reads:
- `geo:` (RFC 5870, Android's map apps): WGS84, as the RFC defines it;
- Amap (高德, https://uri.amap.com/marker): GCJ-02, its default (`coordinate=gaode`); callnative=1 opens the app;
- Baidu (百度, https://api.map.baidu.com/marker): BD-09, said with `coord_type=bd09ll`;
- Apple Maps (https://maps.apple.com/?ll=…): its map data in China is GCJ-02, so GCJ-02 (outside China the
  conversion leaves the point as it is, which is what Apple expects there).
All are web links except `geo:`, so a phone without the app still shows the place in its browser.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from xiuhua.geo.crs import wgs84_to_bd09, wgs84_to_gcj02

SOURCE = "xiuhua"


@dataclass(frozen=True)
class NavLink:
    app: str  # geo, amap, baidu, apple
    label: str
    url: str


def navigation_links(lng: float, lat: float, name: str) -> list[NavLink]:
    """Links to the WGS84 point (lng, lat) labelled `name` in the usual map apps, the Android default first."""
    gcj_lng, gcj_lat = wgs84_to_gcj02(lng, lat)
    bd_lng, bd_lat = wgs84_to_bd09(lng, lat)
    name = name or f"{lat:.6f},{lng:.6f}"
    amap = {
        "position": f"{gcj_lng:.6f},{gcj_lat:.6f}",
        "name": name,
        "src": SOURCE,
        "coordinate": "gaode",
        "callnative": "1",
    }
    baidu = {
        "location": f"{bd_lat:.6f},{bd_lng:.6f}",
        "title": name,
        "content": name,
        "output": "html",
        "coord_type": "bd09ll",
        "src": f"webapp.{SOURCE}.{SOURCE}",
    }
    apple = {"ll": f"{gcj_lat:.6f},{gcj_lng:.6f}", "q": name}
    return [
        NavLink("geo", "地图应用", f"geo:{lat:.6f},{lng:.6f}?q={lat:.6f},{lng:.6f}({quote(name)})"),
        NavLink("amap", "高德地图", "https://uri.amap.com/marker?" + urlencode(amap)),
        NavLink("baidu", "百度地图", "https://api.map.baidu.com/marker?" + urlencode(baidu)),
        NavLink("apple", "苹果地图", "https://maps.apple.com/?" + urlencode(apple)),
    ]
