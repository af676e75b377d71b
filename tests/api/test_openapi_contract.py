"""/api/v1/openapi.json is a valid OpenAPI 3.1 document, and the API keeps to it: schema-driven
requests (schemathesis, a few examples per operation to stay fast) find no server error and no
response that contradicts the document."""
import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)


def test_openapi_document_validates(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    validate(document)  # raises on any violation of the OpenAPI 3.1 schema


def test_api_conforms_to_its_document(app):
    # The schemathesis pytest plugin does not run under this pytest; hypothesis drives each
    # operation's strategy directly instead (a few examples each, deterministic).
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 6
    for operation in operations:
        @given(operation.as_strategy())
        @settings(max_examples=3, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            # Uncompressed answers (the app compresses when asked; the checks read plain bodies).
            case.call_and_validate(checks=checks, headers={"Accept-Encoding": "identity"})

        run()
