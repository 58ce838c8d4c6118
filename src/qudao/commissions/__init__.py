"""Commissions: plans applied to each period's sales, statements per partner, an append-only
double-entry ledger, clawbacks, payouts and the what-if of a changed plan."""
