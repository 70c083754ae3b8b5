"""Fixtures shared with the case tests: the demo city's people, the API as one of them, a case at any point."""

from xiuhua.cases.tests.conftest import as_user, loop, media_in_tmp, people, spot  # noqa: F401
