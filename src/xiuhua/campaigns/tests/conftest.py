from xiuhua.cases.tests.conftest import as_user, loop, media_in_tmp, people, spot  # noqa: F401
