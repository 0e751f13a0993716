"""How the API says no: one JSON shape for every error, `{"error": {"code", "message",
"problems"}}`, with problems as the CSV import names them (record, field, value, expected)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from pydantic import BaseModel, Field, ValidationError

from bot.render.sentences import sentence


class Problem(BaseModel):
    record: int | None = Field(
        None, description="Index of the record in the batch (0 is the first); null for the request"
    )
    field: str | None = Field(None, description="The field (or query parameter) that is wrong")
    value: str | None = Field(None, description="The value that was sent, as text")
    expected: str = Field(description="What the field needs")


class ErrorBody(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. `validation_failed`")
    message: str = Field(description="What went wrong, in a sentence")
    problems: list[Problem] = Field(default_factory=list)


class Error(BaseModel):
    error: ErrorBody


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        problems: list[Problem] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.problems = problems or []
        self.headers = headers or {}

    def response(self) -> Response:
        body = Error(error=ErrorBody(code=self.code, message=self.message, problems=self.problems))
        response = jsonify(body.model_dump(mode="json"))
        response.status_code = self.status
        response.headers.update(self.headers)
        return response


def not_found() -> ApiError:
    """The same answer whether a thing does not exist or belongs to another workspace."""
    return ApiError(404, "not_found", sentence("api_not_found"))


# The request fields that hold a batch of records: an error inside one names the record.
BATCH_FIELDS = frozenset({"records", "benchmarks"})


def validation_problems(errors: list[dict[str, Any]]) -> list[Problem]:
    """Pydantic's errors in the import's words: `("records", 3, "amount")` is record 3's
    amount field (and so for every batch field in BATCH_FIELDS)."""
    problems = []
    for error in errors:
        location = [part for part in error.get("loc", ()) if part != "__root__"]
        record = None
        if len(location) >= 2 and location[0] in BATCH_FIELDS and isinstance(location[1], int):
            record, location = location[1], location[2:]
        given = error.get("input")
        shown = None if given is None or isinstance(given, dict | list) else str(given)
        problems.append(
            Problem(
                record=record,
                field=".".join(str(part) for part in location) or None,
                value=shown if error.get("type") != "missing" else None,
                expected=_expected(error),
            )
        )
    return problems


def _expected(error: dict[str, Any]) -> str:
    if error.get("type") == "missing":
        return sentence("api_field_required")
    if error.get("type") == "extra_forbidden":
        return sentence("api_field_unknown")
    return str(error.get("msg", ""))


def validation_error(refused: ValidationError) -> Response:
    """flask-openapi3's callback for a request its models refuse."""
    problems = validation_problems(list(refused.errors()))
    return ApiError(
        422, "validation_failed", sentence("api_validation_failed"), problems
    ).response()


STANDARD_RESPONSES: dict[int, type[BaseModel]] = {
    401: Error,
    404: Error,
    422: Error,
    429: Error,
}
