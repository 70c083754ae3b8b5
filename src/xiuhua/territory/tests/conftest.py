# The case tests' API client fixture serves the geocoding API test too.
from xiuhua.cases.tests.conftest import as_user  # noqa: F401
