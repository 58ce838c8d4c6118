"""How much of the channel's revenue hangs on one partner.

Each partner's share is its part of the window's channel revenue, in percent; the
Herfindahl-Hirschman index (HHI) is the sum of the squared percentage shares, from near 0
(revenue spread over many partners) to 10,000 (one partner brings everything). The alert
goes up when the largest share is strictly above the program's ``concentration_alert_pct``.

Only partners whose net revenue in the window is positive take a share: a partner whose
refunds exceed its sales brings no revenue to depend on. Shares and the HHI are exact
Decimals (one division each); rounding happens only for display, and the alert compares
integers, so a share exactly at the threshold never alerts through a rounding."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from qudao.core.i18n import N_
from qudao.core.money import money_context
from qudao.dashboards.revenue import PartnerRevenue

FULL_HHI = 10_000
Level = Literal["none", "low", "moderate", "high"]
# The bands competition authorities use for the HHI.
MODERATE_FROM, HIGH_FROM = 1_500, 2_500
LEVEL_LABELS: dict[Level, str] = {
    "none": N_("No channel revenue in the window"),
    "low": N_("Spread (HHI below 1,500)"),
    "moderate": N_("Moderately concentrated (HHI 1,500 to 2,500)"),
    "high": N_("Highly concentrated (HHI above 2,500)"),
}


@dataclass(frozen=True, slots=True)
class Share:
    partner_id: int
    name: str
    net_minor: int
    # Percent of the window's channel revenue, exact (not rounded).
    percent: Decimal

    def shown(self, places: int = 1) -> Decimal:
        """The percentage rounded half up for display."""
        with money_context():
            return self.percent.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Concentration:
    shares: list[Share]  # largest first
    total_minor: int
    hhi: Decimal
    threshold_pct: int
    alert: bool

    @property
    def largest(self) -> Share | None:
        return self.shares[0] if self.shares else None

    @property
    def level(self) -> Level:
        if not self.shares:
            return "none"
        if self.hhi > HIGH_FROM:
            return "high"
        return "moderate" if self.hhi >= MODERATE_FROM else "low"

    def hhi_shown(self) -> int:
        with money_context():
            return int(self.hhi.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def concentration(rows: Sequence[PartnerRevenue], threshold_pct: int) -> Concentration:
    """Shares, HHI and alert from the revenue by partner of one window."""
    earning = sorted((r for r in rows if r.net_minor > 0),
                     key=lambda r: (-r.net_minor, r.name.casefold(), r.partner_id))
    total = sum(r.net_minor for r in earning)
    if total <= 0:
        return Concentration([], 0, Decimal(0), threshold_pct, alert=False)
    with money_context():
        shares = [Share(r.partner_id, r.name, r.net_minor,
                        Decimal(100) * Decimal(r.net_minor) / Decimal(total)) for r in earning]
        squares = sum(Decimal(r.net_minor) ** 2 for r in earning)
        hhi = Decimal(FULL_HHI) * squares / (Decimal(total) ** 2)
    alert = earning[0].net_minor * 100 > threshold_pct * total
    return Concentration(shares, total, hhi, threshold_pct, alert)
