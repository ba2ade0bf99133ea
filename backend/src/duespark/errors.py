"""Business errors carry their HTTP status; one handler renders them as {"error", "detail"}."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class FieldError(BaseModel):
    field: str
    message: str


class ErrorBody(BaseModel):
    error: str
    detail: Any = None


class ValidationErrorBody(BaseModel):
    """What every 422 for bad input looks like: one entry per field at fault."""

    error: str
    detail: list[FieldError]


class DomainError(Exception):
    status_code = 400
    error = "BadRequest"
    # Set on errors whose writes must survive the failed request (a revoked token family).
    keep_changes = False

    def __init__(self, detail: Any = None, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers

    def body(self) -> dict[str, Any]:
        return {"error": self.error, "detail": self.detail}


class NotFound(DomainError):
    status_code = 404
    error = "NotFound"

    def __init__(self, what: str = "Resource") -> None:
        super().__init__(f"{what} not found")


class Conflict(DomainError):
    status_code = 409
    error = "Conflict"


class Unauthorized(DomainError):
    status_code = 401
    error = "Unauthorized"

    def __init__(self, detail: Any = "Not signed in") -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class PermissionDenied(DomainError):
    status_code = 403
    error = "PermissionDenied"


class InvalidInput(DomainError):
    """A 422 with field-level messages, the same shape as request validation errors."""

    status_code = 422
    error = "ValidationError"

    def __init__(self, field: str | None = None, message: str | None = None, *, errors=None) -> None:
        items = list(errors or [])
        if field is not None and message is not None:
            items.append(FieldError(field=field, message=message))
        self.errors = items
        super().__init__([e.model_dump() for e in items])


class TooManyRequests(DomainError):
    status_code = 429
    error = "TooManyRequests"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many requests; retry in {retry_after} s", headers={"Retry-After": str(retry_after)})


class ServiceUnavailable(DomainError):
    status_code = 503
    error = "ServiceUnavailable"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after)})


class PayloadTooLarge(DomainError):
    status_code = 413
    error = "PayloadTooLarge"


def error_responses(*errors: type[DomainError]) -> dict[int | str, dict[str, Any]]:
    """The `responses=` mapping that documents an endpoint's errors in OpenAPI."""
    return {e.status_code: {"model": ErrorBody, "description": e.error} for e in errors}
