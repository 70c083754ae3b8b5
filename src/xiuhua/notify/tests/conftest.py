"""Fixtures shared with the case tests: the demo city's people and a case at any point of the loop."""

from xiuhua.cases.tests.conftest import as_user, loop, media_in_tmp, people, spot  # noqa: F401
