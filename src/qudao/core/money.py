"""Money: integer minor units plus an ISO 4217 currency in the database, Decimal in code.

Never float. The money context traps ``FloatOperation`` so that mixing a float into an
amount fails loudly instead of rounding silently. Rounding is always explicit.
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import (
    ROUND_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Context,
    Decimal,
    localcontext,
)
from typing import Literal

from babel.numbers import get_currency_precision, list_currencies

from qudao.core.errors import Unprocessable
from qudao.core.i18n import N_

# "down" and "up" round toward and away from zero: a plan may round its payouts in the
# payer's or in the partner's favour.
RoundingMode = Literal["half_up", "half_even", "down", "up"]
ROUNDING: dict[RoundingMode, str] = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN,
                                     "down": ROUND_DOWN, "up": ROUND_UP}

MONEY_CONTEXT = Context(
    prec=38,
    rounding=ROUND_HALF_EVEN,
    traps=[
        decimal.InvalidOperation,
        decimal.DivisionByZero,
        decimal.Overflow,
        decimal.FloatOperation,
    ],
)
_KNOWN_CURRENCIES = frozenset(list_currencies())


def money_context() -> decimal._ContextManager:
    return localcontext(MONEY_CONTEXT)


def check_currency(code: str) -> str:
    upper = code.strip().upper()
    if upper not in _KNOWN_CURRENCIES:
        raise Unprocessable(
            N_("%(code)s is not an ISO 4217 currency code; use one such as CNY, USD or EUR."),
            field="currency",
            code=code,
        )
    return upper


def exponent(currency: str) -> int:
    """Decimal places of the currency's minor unit (JPY 0, EUR 2, KWD 3), from ISO 4217 data."""
    return int(get_currency_precision(check_currency(currency)))


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-exponent(currency))


def round_amount(amount: Decimal, currency: str, mode: RoundingMode) -> Decimal:
    with money_context():
        return amount.quantize(quantum(currency), rounding=ROUNDING[mode])


def to_minor(amount: Decimal, currency: str, field: str = "amount") -> int:
    """An exact amount to minor units; refuses an amount finer than the currency allows."""
    with money_context():
        scaled = amount.scaleb(exponent(currency))
        if scaled != scaled.to_integral_value():
            raise Unprocessable(
                N_("%(amount)s has more decimal places than %(currency)s allows (%(places)s)."),
                field=field,
                amount=str(amount),
                currency=currency,
                places=exponent(currency),
            )
        return int(scaled)


def from_minor(minor: int, currency: str) -> Decimal:
    with money_context():
        return Decimal(minor).scaleb(-exponent(currency))


def parse_amount(value: object, currency: str, field: str = "amount") -> Decimal:
    """An amount from user input: a decimal string or an int. A float is refused."""
    if isinstance(value, bool | float):
        raise Unprocessable(
            N_("Send amounts as strings such as \"10.10\", not as JSON numbers with decimals."),
            field=field,
        )
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, str):
        try:
            amount = Decimal(value.strip())
        except decimal.InvalidOperation:
            raise Unprocessable(
                N_("%(value)s is not an amount; write it like 1234.56."),
                field=field,
                value=value,
            ) from None
        if not amount.is_finite():
            raise Unprocessable(N_("An amount must be a finite number."), field=field)
    else:
        raise Unprocessable(N_("An amount must be a string such as \"10.10\"."), field=field)
    to_minor(amount, currency, field)
    return amount


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    @classmethod
    def of_minor(cls, minor: int, currency: str) -> Money:
        return cls(from_minor(minor, currency), check_currency(currency))

    @property
    def minor(self) -> int:
        return to_minor(self.amount, self.currency)

    def __str__(self) -> str:
        return f"{self.amount:f} {self.currency}"


def allocate(total_minor: int, ratios: Sequence[Decimal | int]) -> list[int]:
    """Split an amount of minor units by ratios so that the parts sum to the whole.

    Largest-remainder method: each part gets the floor of its exact share, and the
    minor units left over go to the largest remainders (ties to the earliest part).
    """
    if not ratios:
        raise ValueError("allocate() needs at least one ratio")
    with money_context():
        weights = [Decimal(r) for r in ratios]
        if any(w < 0 for w in weights):
            raise ValueError("ratios must not be negative")
        whole = sum(weights, Decimal(0))
        if whole == 0:
            raise ValueError("ratios must not all be zero")
        sign = -1 if total_minor < 0 else 1
        magnitude = abs(total_minor)
        exact = [Decimal(magnitude) * w / whole for w in weights]
        parts = [int(share.to_integral_value(rounding=decimal.ROUND_FLOOR)) for share in exact]
        left = magnitude - sum(parts)
        order = sorted(range(len(parts)), key=lambda i: (-(exact[i] - parts[i]), i))
        for i in order[:left]:
            parts[i] += 1
        return [sign * p for p in parts]
