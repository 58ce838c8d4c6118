"""The rubric form: criteria as rows of inputs (key, English and Chinese label, weight in
%), the threshold, the shortlist size and the large-company head-count. Turned into the
API's ``RubricIn`` so that the page and the JSON API validate the same way; the service
checks the rest (weights summing to 100%, valid keys)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from starlette.datastructures import FormData

from qudao.core.errors import Unprocessable
from qudao.screening import rubrics
from qudao.screening.models import Rubric
from qudao.screening.schemas import RubricIn
from qudao.web.forms import (
    REQUIRED,
    FormInvalid,
    FormState,
    optional,
    optional_decimal,
    optional_int,
)

# The API takes at most 20 criteria; the form offers two empty rows to add one.
MAX_ROWS = 20
SPARE_ROWS = 2
ROW_FIELDS = ("key", "label_en", "label_zh", "weight")
SCHEMA_FIELDS = {"key": "key", "label_en": "label_en", "label_zh": "label_zh",
                 "weight_percent": "weight"}
SETTINGS = ("name", "threshold", "shortlist_size", "large_company_employees")
# Errors about the criteria as a whole (a key used twice, weights not summing to 100%).
GROUPS = ("criteria", "weights")


def row_count(form: FormData | None, rubric: Rubric) -> int:
    """How many rows the form shows: those posted (after a refusal) or the rubric's."""
    if form is None:
        return min(MAX_ROWS, len(rubric.criteria) + SPARE_ROWS)
    posted = [int(k[4:]) for k in form if k.startswith("key_") and k[4:].isdigit()]
    return min(MAX_ROWS, max(posted, default=-1) + 1)


def input_names(rows: int) -> list[str]:
    return [*SETTINGS, *GROUPS, *(f"{f}_{i}" for i in range(rows) for f in ROW_FIELDS)]


def values(rubric: Rubric) -> FormState:
    found = {"name": rubric.name, "threshold": f"{Decimal(rubric.threshold_centi) / 100:f}",
             "shortlist_size": str(rubric.shortlist_size),
             "large_company_employees": str(rubric.large_company_employees)}
    for i, criterion in enumerate(rubric.criteria):
        found |= {f"key_{i}": criterion.key, f"label_en_{i}": criterion.label_en,
                  f"label_zh_{i}": criterion.label_zh,
                  f"weight_{i}": f"{(Decimal(criterion.weight_bp) / 100).normalize():f}"}
    return FormState(values=found)


def _weight(form: FormData, row: int) -> Decimal | None:
    name = f"weight_{row}"
    text = optional(form, name, 20)
    if text is None:
        return None
    try:
        return rubrics.parse_percent(text.replace(",", "."))
    except Unprocessable as error:
        raise FormInvalid(name, error.message, **error.params) from None


def criteria_rows(form: FormData, rows: int) -> tuple[list[dict[str, object]], list[int]]:
    """The criteria typed in, and the row each came from; a row left wholly empty is no
    criterion (that is how one is removed)."""
    criteria: list[dict[str, object]] = []
    used_rows: list[int] = []
    for row in range(rows):
        texts = {f: optional(form, f"{f}_{row}", 200) for f in ROW_FIELDS}
        if not any(texts.values()):
            continue
        for name in ("key", "weight"):
            if texts[name] is None:
                raise FormInvalid(f"{name}_{row}", REQUIRED)
        criteria.append({"key": texts["key"] or "", "label_en": texts["label_en"] or "",
                         "label_zh": texts["label_zh"] or "",
                         "weight_percent": _weight(form, row)})
        used_rows.append(row)
    return criteria, used_rows


def locator(used_rows: list[int]) -> Callable[[tuple[int | str, ...]], str]:
    def locate(location: tuple[int | str, ...]) -> str:
        """("criteria", 1, "label_zh") → the input of the row it came from: label_zh_3."""
        if location[0] == "criteria" and len(location) >= 3 and isinstance(location[1], int):
            field = SCHEMA_FIELDS.get(str(location[2]), "key")
            return f"{field}_{used_rows[location[1]]}"
        return str(location[0])

    return locate


def rubric_in(form: FormData, criteria: list[dict[str, object]]) -> RubricIn:
    """Raises ``FormInvalid`` for a missing or unreadable number, ``ValidationError`` for
    what the API's schema refuses."""
    threshold = optional_decimal(form, "threshold")
    shortlist = optional_int(form, "shortlist_size")
    large = optional_int(form, "large_company_employees")
    for name, value in (("threshold", threshold), ("shortlist_size", shortlist),
                        ("large_company_employees", large)):
        if value is None:
            raise FormInvalid(name, REQUIRED)
    return RubricIn.model_validate({
        "name": optional(form, "name", 200), "threshold": threshold,
        "shortlist_size": shortlist, "large_company_employees": large, "criteria": criteria,
    })


def specs(data: RubricIn) -> list[rubrics.CriterionSpec]:
    return [rubrics.CriterionSpec(c.key, c.label_en, c.label_zh, c.weight_percent)
            for c in data.criteria]
