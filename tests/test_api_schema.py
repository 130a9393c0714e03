"""Property-based run of the whole OpenAPI schema (schemathesis): no input makes a 5xx.

Bounded: at most 30 generated examples per operation plus schemathesis's boundary
cases, about 700 requests over 24 operations in 10-15 seconds.
The token is sent, so generated requests reach past authentication into the
handlers; the embedded store keeps the run self-contained.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from service.api.app import create_app
from tests.test_api_support import AUTH, api_settings


@schemathesis.serializer("application/x-ndjson")
def _ndjson(ctx: object, value: object) -> bytes:
    # The schema says "string" for NDJSON bodies: send the generated text as the body.
    return str(value).encode("utf-8", "surrogatepass")


schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(api_settings()))


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_generated_request_makes_a_server_error(case: schemathesis.Case) -> None:
    case.call_and_validate(headers=AUTH, checks=[not_a_server_error])
