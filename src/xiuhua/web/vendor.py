"""Copy the front-end libraries installed by npm (package.json) into the web app's static files.

`make setup` runs `npm ci` and then this module; the copies under `web/static/vendor/` are not committed. Only the
files the pages use are copied, so collectstatic stays small (echarts alone ships 51 MB of variants).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
TARGET = PACKAGE_DIR / "static" / "vendor"

# node_modules path → path under static/vendor/ (a directory is copied whole).
VENDOR_FILES: dict[str, str] = {
    "bootstrap/dist/css/bootstrap.min.css": "bootstrap/bootstrap.min.css",
    "bootstrap/dist/js/bootstrap.bundle.min.js": "bootstrap/bootstrap.bundle.min.js",
    "bootstrap-icons/font/bootstrap-icons.min.css": "bootstrap-icons/bootstrap-icons.min.css",
    "bootstrap-icons/font/fonts": "bootstrap-icons/fonts",
    "htmx.org/dist/htmx.min.js": "htmx/htmx.min.js",
    "leaflet/dist/leaflet.js": "leaflet/leaflet.js",
    "leaflet/dist/leaflet.css": "leaflet/leaflet.css",
    "leaflet/dist/images": "leaflet/images",
    "leaflet.markercluster/dist/leaflet.markercluster.js": "leaflet.markercluster/leaflet.markercluster.js",
    "leaflet.markercluster/dist/MarkerCluster.css": "leaflet.markercluster/MarkerCluster.css",
    "leaflet.markercluster/dist/MarkerCluster.Default.css": "leaflet.markercluster/MarkerCluster.Default.css",
    "echarts/dist/echarts.min.js": "echarts/echarts.min.js",
}


def copy_vendor_files(node_modules: Path) -> list[Path]:
    """Copy every file of VENDOR_FILES; raises FileNotFoundError naming the first one npm did not install."""
    copied = []
    for source, target in VENDOR_FILES.items():
        origin, destination = node_modules / source, TARGET / target
        if not origin.exists():
            raise FileNotFoundError(f"{origin} 不存在：请先运行 npm ci（make setup 会运行它）")
        destination.parent.mkdir(parents=True, exist_ok=True)
        if origin.is_dir():
            shutil.copytree(origin, destination, dirs_exist_ok=True)
        else:
            shutil.copy2(origin, destination)
        copied.append(destination)
    return copied


def main() -> int:
    node_modules = Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd() / "node_modules"
    try:
        copied = copy_vendor_files(node_modules)
    except FileNotFoundError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"已复制 {len(copied)} 个前端文件到 {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
