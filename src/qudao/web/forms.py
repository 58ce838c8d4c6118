"""What a page form needs between a failed POST and its second rendering: the values the
user typed and a message per field, in the user's language.

Rules stay in the services; this module only turns posted text into typed values and
turns errors (domain errors, Pydantic validation errors) into messages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation

from pydantic import ValidationError
from starlette.datastructures import FormData

from qudao.core.errors import Forbidden, QudaoError, Unauthorized, Unprocessable
from qudao.core.i18n import N_, LocaleCode, translate

NOT_SAVED = N_("Nothing was saved. Correct the marked field and send the form again.")
REQUIRED = N_("Fill in this field.")
TOO_LONG = N_("This is too long: at most %(n)s characters.")
BAD_EMAIL = N_("Enter a valid e-mail address, such as name@example.com.")
BAD_CHOICE = N_("Choose one of the offered options.")
BAD_NUMBER = N_("Enter a whole number.")
BAD_DATE = N_("Enter a date as YYYY-MM-DD.")
BAD_VALUE = N_("This value is not valid.")
BAD_DECIMAL = N_("Enter a number, such as 7 or 7.5.")


@dataclass
class FormState:
    """A form's values and per-field errors; ``message`` is the banner above it."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    message: str | None = None
    status: int = 200

    def value(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)


class FormInvalid(Exception):
    """Posted text that cannot become the typed value a service expects."""

    def __init__(self, field_name: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message
        self.params = params


def values_of(form: FormData, names: Iterable[str]) -> dict[str, str]:
    """The posted text of the named fields, to show again; never a password."""
    return {n: v.strip() for n in names if isinstance(v := form.get(n), str)
            and "password" not in n}


def optional(form: FormData, name: str, limit: int = 10_000) -> str | None:
    value = form.get(name)
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()[:limit]


def secret(form: FormData, name: str, limit: int = 1024) -> str | None:
    """A password as typed: spaces are part of it."""
    value = form.get(name)
    return value[:limit] if isinstance(value, str) and value else None


def optional_int(form: FormData, name: str) -> int | None:
    value = optional(form, name, 20)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise FormInvalid(name, BAD_NUMBER) from None


def checkbox(form: FormData, name: str) -> bool:
    return form.get(name) in ("on", "true", "1", "yes")


def optional_date(form: FormData, name: str) -> date | None:
    value = optional(form, name, 20)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FormInvalid(name, BAD_DATE) from None


def optional_decimal(form: FormData, name: str) -> Decimal | None:
    """A number as typed; a comma as the decimal mark is accepted (7,5)."""
    value = optional(form, name, 40)
    if value is None:
        return None
    try:
        parsed = Decimal(value.replace(",", "."))
    except InvalidOperation:
        raise FormInvalid(name, BAD_DECIMAL) from None
    if not parsed.is_finite():
        raise FormInvalid(name, BAD_DECIMAL)
    return parsed


def optional_day_start(form: FormData, name: str) -> datetime | None:
    """A date field as the first instant of that day in UTC (the zone pages show)."""
    value = optional(form, name, 20)
    if value is None:
        return None
    try:
        return datetime.combine(date.fromisoformat(value), time.min, tzinfo=UTC)
    except ValueError:
        raise FormInvalid(name, BAD_DATE) from None


def _validation_message(error: Mapping[str, object]) -> tuple[str, dict[str, object]]:
    kind = str(error.get("type", ""))
    ctx = error.get("ctx")
    context = ctx if isinstance(ctx, dict) else {}
    location = error.get("loc")
    name = str(location[-1]) if isinstance(location, tuple) and location else ""
    if kind in ("missing", "string_too_short"):
        return REQUIRED, {}
    if kind == "string_too_long":
        return TOO_LONG, {"n": context.get("max_length", "?")}
    if name == "email" or "email" in str(error.get("msg", "")).lower():
        return BAD_EMAIL, {}
    if kind in ("enum", "literal_error"):
        return BAD_CHOICE, {}
    if kind.startswith("int_"):
        return BAD_NUMBER, {}
    return BAD_VALUE, {}


def failure(
    error: QudaoError | ValidationError | FormInvalid, locale: LocaleCode, form: FormData,
    names: Iterable[str], *, fields: Mapping[str, str] | None = None,
    locate: Callable[[tuple[int | str, ...]], str] | None = None,
) -> FormState:
    """The form state after an error: the typed values of the inputs ``names`` and the
    messages. ``fields`` renames service field names to input names. An error about one
    input is shown at that input; any other error in the banner above the form.
    ``locate`` names the input of a validation error's location, for forms whose inputs
    are rows of a list (``("criteria", 2, "label_en")`` → ``label_en_2``).

    Authorization errors are not form errors: they are raised again, so that the error
    page (and the audit of the denial) handles them."""
    if isinstance(error, Forbidden | Unauthorized):
        raise error
    inputs = list(names)
    renames = fields or {}
    state = FormState(values=values_of(form, inputs), status=422)
    problems: list[tuple[str, str]] = []
    if isinstance(error, ValidationError):
        for item in error.errors():
            message, params = _validation_message(item)
            location = tuple(item.get("loc") or ("",))
            name = locate(location) if locate else str(location[0])
            problems.append((name, translate(locale, message, **params)))
    elif isinstance(error, FormInvalid):
        problems.append((error.field, translate(locale, error.message, **error.params)))
    else:
        state.status = error.status
        problems.append((error.field or "", error.render(locale)))
    for name, message in problems:
        target = renames.get(name, name)
        if target in inputs:
            state.errors.setdefault(target, message)
        elif state.message is None:
            state.message = message
    if state.message is None:
        state.message = translate(locale, NOT_SAVED)
    return state


def invalid(field_name: str, message: str) -> Unprocessable:
    """A form-level refusal (e.g. two password fields that differ) as a domain error."""
    return Unprocessable(message, field=field_name)
