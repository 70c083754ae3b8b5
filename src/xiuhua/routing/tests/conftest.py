# The case tests' fixtures (demo people, a spot in the city, the loop driver) serve routing tests too.
from xiuhua.cases.tests.conftest import loop, media_in_tmp, people, spot  # noqa: F401
