"""Evaluation tests drive cases round the loop with the demo accounts (the case tests' fixtures)."""

from xiuhua.cases.tests.conftest import as_user, loop, media_in_tmp, people, spot  # noqa: F401
