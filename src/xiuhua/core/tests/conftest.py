from xiuhua.cases.tests.conftest import as_user, loop, media_in_tmp, people, spot  # noqa: F401
from xiuhua.intake.open311.tests.conftest import api_key, fms_form  # noqa: F401
