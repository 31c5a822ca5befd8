"""Every error has the one envelope, says what to fix, and changes nothing already stored."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from fastapi.testclient import TestClient

from beffroi.runtime import Runtime
from beffroi.store.schema import audit_events, items, media
from tests.support import count, item

JPEG_HEADER = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def _notice(**changed: Any) -> dict[str, Any]:
    body = {"item": {"id": "itm_nothing"}, "reason": "threats", "explanation": "a threat", "good_faith": True}
    return {**body, **changed}


def _bad_requests() -> list[tuple[str, str, str, dict[str, Any], int, str]]:
    """(name, method, path, request kwargs, status, code)."""
    return [
        (
            "malformed json",
            "POST",
            "/v1/items",
            {"content": b'{"space": "default",', "headers": {"Content-Type": "application/json"}},
            400,
            "malformed_json",
        ),
        ("missing field", "POST", "/v1/items", {"json": {"space": "default", "text": "x"}}, 422, "invalid_request"),
        ("unknown space", "POST", "/v1/items", {"json": item(space="nowhere")}, 422, "invalid_request"),
        ("oversized text", "POST", "/v1/items", {"json": item("x" * 5001)}, 413, "payload_too_large"),
        ("empty item", "POST", "/v1/items", {"json": item("   ")}, 422, "invalid_request"),
        ("unknown field", "POST", "/v1/items", {"json": item(colour="red")}, 422, "invalid_request"),
        (
            "bad base64",
            "POST",
            "/v1/items",
            {"json": item(media=[{"data": "%%%", "mime_type": "image/png"}])},
            422,
            "invalid_request",
        ),
        (
            "wrong media type",
            "POST",
            "/v1/items",
            {
                "json": item(
                    media=[{"data": base64.b64encode(b"plain text, not an image").decode(), "mime_type": "image/png"}]
                )
            },
            415,
            "unsupported_media_type",
        ),
        (
            "mislabelled media",
            "POST",
            "/v1/media",
            {"content": JPEG_HEADER, "headers": {"Content-Type": "image/png"}},
            415,
            "unsupported_media_type",
        ),
        (
            "oversized media",
            "POST",
            "/v1/media",
            {"content": JPEG_HEADER + b"\x00" * 70_000, "headers": {"Content-Type": "image/jpeg"}},
            413,
            "payload_too_large",
        ),
        ("unknown media", "POST", "/v1/items", {"json": item(media=[{"sha256": "a" * 64}])}, 422, "invalid_request"),
        (
            "one bad item spoils its batch",
            "POST",
            "/v1/items/batch",
            {"json": {"items": [item("fine"), item(space="nowhere")]}},
            422,
            "invalid_request",
        ),
        ("empty batch", "POST", "/v1/items/batch", {"json": {"items": []}}, 422, "invalid_request"),
        (
            "malformed batch",
            "POST",
            "/v1/items/batch",
            {"content": b'{"items": [', "headers": {"Content-Type": "application/json"}},
            400,
            "malformed_json",
        ),
        ("unknown item", "GET", "/v1/items/itm_nothing", {}, 404, "not_found"),
        ("unknown endpoint", "GET", "/v2/whatever", {}, 404, "not_found"),
        ("wrong method", "DELETE", "/v1/items", {}, 405, "method_not_allowed"),
        (
            "bad token",
            "POST",
            "/v1/items",
            {"json": item(), "headers": {"Authorization": "Bearer bft_wrong"}},
            401,
            "unauthorized",
        ),
        ("no token", "GET", "/v1/spaces", {"headers": {"Authorization": ""}}, 401, "unauthorized"),
        ("bad query", "GET", "/v1/items?limit=0", {}, 422, "invalid_request"),
        (
            "three approvers",
            "PUT",
            "/v1/spaces/default/settings",
            {"json": {"approval": {"approvals_required": 3}}},
            422,
            "invalid_request",
        ),
        ("unknown settings space", "GET", "/v1/spaces/nowhere/settings", {}, 404, "not_found"),
        (
            "approving an unknown item",
            "POST",
            "/v1/items/itm_nothing/approvals",
            {"json": {"decision": "approve"}},
            404,
            "not_found",
        ),
        (
            "unknown decision",
            "POST",
            "/v1/items/itm_nothing/approvals",
            {"json": {"decision": "maybe"}},
            422,
            "invalid_request",
        ),
        ("bad feed cursor", "GET", "/v1/verdicts?after=-1", {}, 422, "invalid_request"),
        ("bad holds cursor", "GET", "/v1/holds?after=x", {}, 422, "invalid_request"),
        (
            "invalid policy",
            "POST",
            "/v1/spaces/default/policy/versions",
            {"json": {"source": "name: x\nversion: 1\nrules: []\n", "activate": True}},
            422,
            "invalid_policy",
        ),
        ("policy of an unknown space", "GET", "/v1/spaces/nowhere/policy", {}, 404, "not_found"),
        ("unknown policy version", "POST", "/v1/spaces/default/policy/versions/7/activate", {}, 404, "not_found"),
        (
            "two backtest candidates",
            "POST",
            "/v1/spaces/default/policy/backtest",
            {"json": {"version": 1, "source": "name: x"}},
            422,
            "invalid_request",
        ),
        (
            "decision on no case",
            "POST",
            "/v1/cases/case_none/decisions",
            {"json": {"action": "allow"}},
            404,
            "not_found",
        ),
        (
            "unknown decision action",
            "POST",
            "/v1/cases/case_none/decisions",
            {"json": {"action": "delete"}},
            422,
            "invalid_request",
        ),
        (
            "appeal without a code",
            "POST",
            "/v1/appeals",
            {"json": {"decision_id": "dec_none", "explanation": "unfair"}, "headers": {"Authorization": ""}},
            422,
            "invalid_request",
        ),
        (
            "appeal with a wrong code",
            "POST",
            "/v1/appeals",
            {
                "json": {"decision_id": "dec_none", "appeal_code": "AAAA", "explanation": "unfair"},
                "headers": {"Authorization": ""},
            },
            404,
            "not_found",
        ),
        (
            "notice without good faith",
            "POST",
            "/v1/notices",
            {"json": _notice(good_faith=False)},
            422,
            "invalid_request",
        ),
        (
            "notice with no reason known",
            "POST",
            "/v1/notices",
            {"json": _notice(reason="ugly")},
            422,
            "invalid_request",
        ),
        (
            "notice explaining nothing",
            "POST",
            "/v1/notices",
            {"json": _notice(explanation="  ")},
            422,
            "invalid_request",
        ),
        (
            "notice naming no item",
            "POST",
            "/v1/notices",
            {"json": _notice(item={"platform": "mastodon"})},
            422,
            "invalid_request",
        ),
        ("notice about an unknown item", "POST", "/v1/notices", {"json": _notice()}, 404, "not_found"),
        ("unknown notice", "GET", "/v1/notices/ntc_nothing?receipt=ntr_x", {}, 404, "not_found"),
        ("unknown case", "GET", "/v1/cases/case_nothing", {}, 404, "not_found"),
        ("claim of an unknown case", "POST", "/v1/cases/case_nothing/claim", {}, 404, "not_found"),
        ("bad case filter", "GET", "/v1/cases?assigned=someone", {}, 422, "invalid_request"),
        ("unknown notification", "POST", "/v1/notifications/999/delivered", {}, 404, "not_found"),
        (
            "notification id beyond 64 bits",
            "POST",
            "/v1/notifications/99999999999999999999/delivered",
            {},
            422,
            "invalid_request",
        ),
        (
            "policy version beyond 64 bits",
            "GET",
            "/v1/spaces/default/policy/versions/99999999999999999999",
            {},
            422,
            "invalid_request",
        ),
        (
            "policy with a control character",
            "POST",
            "/v1/spaces/default/policy/versions",
            {"json": {"source": "a\u0000b", "note": "n"}},
            422,
            "invalid_policy",
        ),
    ]


@pytest.mark.parametrize(
    ("name", "method", "path", "kwargs", "status", "code"), _bad_requests(), ids=[r[0] for r in _bad_requests()]
)
def test_bad_input_gets_a_clear_error_and_stores_nothing(
    client: TestClient,
    runtime: Runtime,
    name: str,
    method: str,
    path: str,
    kwargs: dict[str, Any],
    status: int,
    code: str,
) -> None:
    client.post("/v1/items?wait=10", json=item("already stored"))  # analysed: nothing moves meanwhile
    before = [count(runtime, t) for t in (items, media, audit_events)]
    response = client.request(method, path, **kwargs)
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert error["status"] == status
    assert error["code"] == code
    assert isinstance(error["message"], str) and len(error["message"]) > 5
    assert set(error) <= {"status", "code", "message", "hint", "details"}
    assert [count(runtime, t) for t in (items, media, audit_events)] == before


def test_validation_errors_say_where(client: TestClient) -> None:
    error = client.post("/v1/items/batch", json={"items": [item("ok"), item(space="nowhere")]}).json()["error"]
    assert error["details"][0]["loc"] == "items[1].space"
    assert "beffroi space add nowhere" in error["hint"]
    missing = client.post("/v1/items", json={"space": "default", "text": "x"}).json()["error"]
    assert {d["loc"] for d in missing["details"]} == {"author", "source"}


@pytest.mark.parametrize(
    "path",
    ["/v1/cases/a%00b", "/v1/notices?space=a%00b", "/v1/spaces/a%00b/settings", "/v1/decisions/a%00b"],
)
def test_a_nul_character_is_refused_or_not_found_never_a_crash(client: TestClient, path: str) -> None:
    # SQLite stores NUL and finds nothing (an empty list, or 404); PostgreSQL refuses it with a clear 422.
    response = client.get(path)
    assert response.status_code in (200, 404, 422), response.text
    assert response.status_code == 200 or response.json()["error"]["code"] in ("not_found", "invalid_request")
