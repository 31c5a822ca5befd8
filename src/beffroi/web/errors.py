"""One JSON error envelope for the whole API: {"error": {"status", "code", "message", "hint"?, "details"?}}."""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from beffroi.errors import BeffroiError, error_body

log = logging.getLogger(__name__)

_HTTP_CODES = {401: "unauthorized", 404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}


def envelope(
    status: int, code: str, message: str, hint: str | None = None, details: list[dict[str, Any]] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(status, code, message, hint, details), status_code=status)


def install(app: FastAPI) -> None:
    app.add_exception_handler(BeffroiError, _beffroi_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    for unstorable in (sa.exc.DataError, OverflowError):
        app.add_exception_handler(unstorable, _unstorable)
    app.add_exception_handler(Exception, _unexpected)


async def _beffroi_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BeffroiError)
    return JSONResponse(exc.envelope(), status_code=exc.status, headers=exc.headers or None)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [_problem(e) for e in exc.errors()]
    if any(e.get("type") == "json_invalid" for e in exc.errors()):
        return envelope(
            400,
            "malformed_json",
            f"the request body is not valid JSON: {problems[0]['message']}",
            hint="send a JSON document with Content-Type: application/json",
        )
    first = problems[0]
    return envelope(
        422,
        "invalid_request",
        f"{first['loc']}: {first['message']}",
        hint="see /docs for the expected shape",
        details=problems,
    )


def _problem(error: Any) -> dict[str, Any]:
    loc = ".".join(str(part) for part in error.get("loc", ()) if part != "body") or "body"
    loc = loc.replace(".[", "[")
    message = str(error.get("msg", "invalid"))
    if error.get("type") == "json_invalid":
        message = str(error.get("ctx", {}).get("error", message))
    return {"loc": loc, "message": message}


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    message = str(exc.detail) if exc.detail else code
    if exc.status_code == 404 and message == "Not Found":
        message = "no such endpoint"
        return envelope(404, code, message, hint="the API lives under /v1; see /docs")
    return envelope(exc.status_code, code, message)


async def _unstorable(request: Request, exc: Exception) -> JSONResponse:
    """A value the database refuses: a NUL character in a text (PostgreSQL), a number beyond 64 bits. The
    statement failed, so nothing was stored."""
    log.info("refused an unstorable value on %s %s: %s", request.method, request.url.path, str(exc).splitlines()[0])
    return envelope(
        422,
        "invalid_request",
        "the request holds a value that cannot be stored: a NUL character in a text, or a number too large",
        hint="remove NUL characters (\\u0000) from texts and ids; numbers go up to 9223372036854775807",
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return envelope(
        500,
        "internal_error",
        "an unexpected error occurred; it has been logged",
        hint="retry; if it persists, report it with the time of the request",
    )
