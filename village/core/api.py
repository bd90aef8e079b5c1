"""What every endpoint of the JSON API shares: the shapes of its errors, the input schema that
takes only a JSON object, single-line text, bounded ids and pages.

Errors are ``{"detail": "..."}`` (400, 401, 403, 404) or, for bad input, ``{"detail": [{"loc":
[...], "msg": "...", "type": "..."}]}`` (422), each ``loc`` naming where the bad value is.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.core.exceptions import ValidationError
from ninja import Field, Schema, Status
from ninja.conf import settings as ninja_settings
from ninja.pagination import LimitOffsetPagination
from ninja.params.functions import Path
from pydantic import AfterValidator, ModelWrapValidatorHandler, ValidationInfo, model_validator
from pydantic_core import PydanticCustomError

from village.core.text import single_line

#: The largest id a path may carry (a 64-bit database key).
MAX_ID = 2**63 - 1
#: The largest ``offset`` of a page: far beyond any list, and within what databases take.
MAX_OFFSET = 2**31 - 1


class ErrorOut(Schema):
    detail: str = Field(description="Why the request was refused, in plain words.")


class FieldErrorOut(Schema):
    loc: list[str | int] = Field(description='Where the bad value is, e.g. ["body", "due_at"].')
    msg: str = Field(description="What is wrong with it, in plain words.")
    type: str = Field(description='The kind of error, e.g. "missing" or "value_error".')


class ValidationErrorOut(Schema):
    detail: list[FieldErrorOut]


#: Error answers of an endpoint that takes no input but needs a sign-in.
SIGNED_IN: dict[int, type[Schema]] = {401: ErrorOut}
#: Error answers of a list that takes query parameters (a page).
LISTED: dict[int, type[Schema]] = {401: ErrorOut, 422: ValidationErrorOut}
#: Error answers of an endpoint that reads what a path id names.
READ: dict[int, type[Schema]] = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
#: Error answers of every endpoint that takes a body and changes something.
WRITE: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ValidationErrorOut,
}


class InputSchema(Schema):
    """A request body: a JSON object with the schema's fields. Anything else (a string, a
    number, a list) is refused with 422, never read as an object."""

    @model_validator(mode="wrap")
    @classmethod
    def _only_an_object(
        cls, value: Any, handler: ModelWrapValidatorHandler[Any], info: ValidationInfo
    ) -> Any:
        if not isinstance(value, dict | cls):
            raise PydanticCustomError(
                "model_type",
                "Send a JSON object with the fields of {name}.",
                {"name": cls.__name__},
            )
        return handler(value)


def _single_line(value: str) -> str:
    try:
        single_line(value)
    except ValidationError as error:
        raise PydanticCustomError("single_line", str(error.messages[0])) from error
    return value


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise PydanticCustomError("text_nul", "Text cannot hold a NUL character.")
    return value


#: A title or a name: one line, no control characters (the check the HTML forms make).
SingleLine = Annotated[str, AfterValidator(_single_line)]
#: Text of several lines (instructions, a comment): anything but a NUL character, which the
#: database cannot keep.
Text = Annotated[str, AfterValidator(_no_nul)]

#: An id in a path: a positive 64-bit integer.
Id = Annotated[int, Path(ge=1, le=MAX_ID, description="An id (a positive integer).")]
#: An id in a body, as ``Id``.
Ref = Annotated[int, Field(ge=1, le=MAX_ID)]


class PageIn(Schema):
    """Which page of a list: ``limit`` items after the first ``offset``."""

    limit: int = Field(
        ninja_settings.PAGINATION_PER_PAGE,
        ge=1,
        description="How many items at most (each endpoint caps it).",
    )
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many items to skip.")


class Pages(LimitOffsetPagination):
    """``limit`` and ``offset`` query parameters, the offset bounded (a page past the end is
    empty)."""

    Input = PageIn  # type: ignore[assignment]


def invalid(error: ValidationError, fields: dict[str, str] | None = None) -> Status[Any]:
    """A service's ``ValidationError`` as a 422 answer naming the API's fields (``fields`` maps
    a service's field to the API's where they differ)."""
    fields = fields or {}
    messages = error.message_dict if hasattr(error, "error_dict") else {"body": error.messages}
    detail = [
        {"loc": ["body", "payload", fields.get(name, name)], "msg": message, "type": "value_error"}
        for name, found in messages.items()
        for message in found
    ]
    return Status(422, {"detail": detail})
