"""API fuzzing: schemathesis drives every operation of the app's own OpenAPI schema.

(Its pytest plugin does not load under pytest 9, so operations are driven with Hypothesis
directly; the checks are schemathesis's own: no 5xx, and responses that match the schema.)
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from app.config import Settings
from app.main import create_app
from tests.conftest import SAMPLE, write_content


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz")
    app = create_app(
        Settings(
            content_dir=write_content(root / "content", SAMPLE),
            data_dir=root / "data",
            state_dir=root / "state",
            password_memory_kib=1024,
            password_time_cost=1,
        )
    )
    return schemathesis.openapi.from_asgi("/openapi.json", app)


# Passwords follow rules no schema can state (not a common password, not the username): a
# schema-valid one may be refused with 422, as these operations document.
POLICY_BEYOND_SCHEMA = {"/api/auth/signup", "/api/me/password"}


def test_every_operation_survives_generated_requests(api_schema):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:
        excluded = [positive_data_acceptance] if operation.path in POLICY_BEYOND_SCHEMA else []
        drive(operation, excluded)


def drive(operation, excluded) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def run(case):
        case.call_and_validate(excluded_checks=excluded)

    run()
