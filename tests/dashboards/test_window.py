"""The window's months and edges, and reading ``end`` and ``months`` from a request."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qudao.core.errors import BadRequest
from qudao.dashboards.window import (
    Window,
    WindowParamError,
    add_months,
    parse_window_params,
)


def test_a_window_across_a_year_end() -> None:
    window = Window(date(2010, 12, 1), date(2011, 2, 1))
    assert window.months == [date(2010, 12, 1), date(2011, 1, 1), date(2011, 2, 1)]
    assert window.start == datetime(2010, 12, 1, tzinfo=UTC)
    assert window.end == datetime(2011, 3, 1, tzinfo=UTC)
    assert window.end_day == date(2011, 3, 1)


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 1, 1)),
       st.integers(min_value=-300, max_value=300))
def test_add_months_lands_on_the_first_and_reverses(day: date, count: int) -> None:
    month = date(day.year, day.month, 1)
    moved = add_months(month, count)
    assert moved.day == 1
    assert add_months(moved, -count) == month
    assert (moved.year - month.year) * 12 + moved.month - month.month == count


@pytest.mark.parametrize(("end", "months", "expected"), [
    (None, None, (None, 12)),
    ("", "", (None, 12)),
    ("2011-09", "6", (date(2011, 9, 1), 6)),
    (" 2011-9 ", "60", (date(2011, 9, 1), 60)),
])
def test_good_parameters(end: str | None, months: str | None,
                         expected: tuple[date | None, int]) -> None:
    assert parse_window_params(end, months) == expected


@pytest.mark.parametrize(("end", "months", "field"), [
    ("2011-13", None, "end"), ("2011/09", None, "end"), ("september", None, "end"),
    ("2011-09-01", None, "end"), (None, "0", "months"), (None, "61", "months"),
    (None, "-3", "months"), (None, "1.5", "months"), (None, "١٢", "months"),
])
def test_bad_parameters_say_what_to_send(end: str | None, months: str | None,
                                         field: str) -> None:
    with pytest.raises(ValueError, match=r"YYYY-MM|1 to 60") as caught:
        parse_window_params(end, months)
    error = caught.value
    assert isinstance(error, WindowParamError)
    assert isinstance(error, BadRequest)
    assert error.field == field
    assert error.status == 400
