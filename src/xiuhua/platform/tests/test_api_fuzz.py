"""Schemathesis over /api/v1/openapi.json, in-process against the WSGI app: no operation answers 5xx.

A bounded number of generated requests per operation (valid and invalid data) with the demo `admin`'s bearer
token; Hypothesis keeps no example database, so nothing is written into the repository.
"""

import tempfile
from pathlib import Path

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir

from xiuhua.platform.wsgi import application

# Hypothesis keeps caches (and would keep examples) in ./.hypothesis; none of that belongs in the repository.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "xiuhua-hypothesis")
MAX_EXAMPLES = 10
# Operations that end the fuzzer's own session would turn every later request into a 401.
SESSION_ENDING = r"/auth/(logout|password)"


@pytest.fixture
def in_process_requests():
    """Calling the WSGI app directly fires request_finished, whose handler would close the test's database
    connection (and its transaction); Django's own test client unhooks it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(api_token) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token}"}


# Loading the schema needs no database: ninja builds it from the routes.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).exclude(path_regex=SESSION_ENDING)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_api_operation_answers_with_a_server_error(case, bearer, in_process_requests):
    response = case.call(headers=bearer)
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:500]}"
    )
