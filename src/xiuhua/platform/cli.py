"""The `xiuhua` command: every Django management command, with dashes allowed in names.

`xiuhua migrate`, `xiuhua demo`, `xiuhua accounts`, `xiuhua serve`, `xiuhua locate 120.94 30.52`,
`xiuhua import-grids file.geojson` …
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiuhua.platform.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["xiuhua", *args])


if __name__ == "__main__":
    main()
