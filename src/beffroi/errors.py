"""Exceptions that carry their HTTP status, so the API turns every one into the same JSON error envelope."""

from __future__ import annotations

from typing import Any


class BeffroiError(Exception):
    status = 500
    code = "internal_error"

    def __init__(self, message: str, *, hint: str | None = None, details: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.details = details or []
        self.headers: dict[str, str] = {}  # HTTP headers the answer carries, e.g. Retry-After

    def envelope(self) -> dict[str, Any]:
        return error_body(self.status, self.code, self.message, self.hint, self.details)


def error_body(
    status: int, code: str, message: str, hint: str | None = None, details: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The one error shape of the whole API; tests/web/test_error_shape.py guards it."""
    body: dict[str, Any] = {"status": status, "code": code, "message": message}
    if hint:
        body["hint"] = hint
    if details:
        body["details"] = details
    return {"error": body}


class ConfigError(BeffroiError):
    code = "config_error"


class InvalidRequest(BeffroiError):
    status = 422
    code = "invalid_request"


class PayloadTooLarge(BeffroiError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(BeffroiError):
    status = 415
    code = "unsupported_media_type"


class NotFound(BeffroiError):
    status = 404
    code = "not_found"


class Conflict(BeffroiError):
    status = 409
    code = "conflict"


class Unauthorized(BeffroiError):
    status = 401
    code = "unauthorized"


class Forbidden(BeffroiError):
    status = 403
    code = "forbidden"


class Unavailable(BeffroiError):
    status = 503
    code = "unavailable"


class TooManyRequests(BeffroiError):
    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}
