# The case tests' fixtures serve every intake test (channels and Open311 too).
from xiuhua.cases.tests.conftest import as_user, loop, media_in_tmp, people, spot  # noqa: F401
