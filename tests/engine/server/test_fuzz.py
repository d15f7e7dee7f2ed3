"""Fuzzing the API from its own OpenAPI schema (schemathesis): no 5xx, no crash, and every
error in the envelope. Identifiers are swapped for real ones so the cases reach the code
behind the 404s."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.engine.server.conftest import start_engine, stop_engine


@pytest.fixture(scope="module")
def fuzz_engine(tmp_path_factory):
    e = start_engine(
        tmp_path_factory.mktemp("fuzz"),
        NEMODESK_RATE_PER_S="100000",
        NEMODESK_MAX_UPLOAD_BYTES=str(5 * 2**20),
    )
    yield e
    assert stop_engine(e) == 0


@pytest.fixture(scope="module")
def real_ids(fuzz_engine):
    token = fuzz_engine.token()
    return {"token": token, "session_id": fuzz_engine.session(token)}


def _check(case, ids: dict[str, str]) -> None:
    if case.path_parameters and "session_id" in case.path_parameters:
        case.path_parameters["session_id"] = ids["session_id"]
    if isinstance(case.body, dict) and "session_id" in case.body:
        case.body["session_id"] = ids["session_id"]
    if isinstance(case.body, dict) and "sessionId" in case.body:
        case.body["sessionId"] = ids["session_id"]
    response = case.call(headers={"Authorization": f"Bearer {ids['token']}"}, timeout=120)
    assert response.status_code < 500, (case.method, case.path, response.text[:300])
    ctype = response.headers.get("content-type") or ""
    ctype = ctype[0] if isinstance(ctype, list) else ctype  # schemathesis lists header values
    if ctype.startswith("application/json") and response.status_code >= 400:
        body = response.json()
        assert body.get("code", 0) != 0 or body.get("success") is False, body


def test_no_server_errors(fuzz_engine, real_ids):
    schema = schemathesis.openapi.from_url(f"{fuzz_engine.url}/openapi.json")
    operations = [op.ok() for op in schema.get_all_operations()]
    assert len(operations) >= 12
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def check(case) -> None:
            _check(case, real_ids)

        check()
