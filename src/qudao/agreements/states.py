"""An agreement's life: draft → signed → active → (expiring) → renewed, or terminated.

"Expiring" is never stored: an agreement in force is expiring from 90 days before its end.
Each refused move says why and what is possible instead."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from qudao.core.i18n import N_

State = Literal["draft", "signed", "active", "renewed", "terminated"]
ShownState = Literal["draft", "signed", "active", "expiring", "renewed", "terminated"]
Action = Literal["sign", "activate", "renew", "terminate"]

STATES: tuple[State, ...] = ("draft", "signed", "active", "renewed", "terminated")
SHOWN_STATES: tuple[ShownState, ...] = ("draft", "signed", "active", "expiring", "renewed",
                                        "terminated")
ACTIONS: tuple[Action, ...] = ("sign", "activate", "renew", "terminate")
# Signed, active and renewed agreements bind both sides: one per partner and program.
IN_FORCE: frozenset[str] = frozenset({"signed", "active", "renewed"})
# Running agreements (active or renewed) become "expiring" this many days before the end.
EXPIRING_DAYS = 90

STATE_LABELS: dict[str, str] = {
    "draft": N_("Draft"),
    "signed": N_("Signed"),
    "active": N_("Active"),
    "expiring": N_("Expiring"),
    "renewed": N_("Renewed"),
    "terminated": N_("Terminated"),
}
ACTION_LABELS: dict[str, str] = {
    "create": N_("Drafted"),
    "update": N_("Terms changed"),
    "sign": N_("Signed"),
    "activate": N_("Activated"),
    "renew": N_("Renewed"),
    "terminate": N_("Terminated"),
}
TARGETS: dict[Action, State] = {
    "sign": "signed", "activate": "active", "renew": "renewed", "terminate": "terminated",
}

_REFUSALS: dict[tuple[Action, str], str] = {
    ("sign", "signed"): N_("This agreement is already signed."),
    ("sign", "active"): N_("This agreement is already signed and active."),
    ("sign", "renewed"): N_("This agreement is already signed; it was renewed since."),
    ("sign", "terminated"): N_("A terminated agreement cannot be signed again: draft a new "
                               "one."),
    ("activate", "draft"): N_("A draft must be signed before it becomes active."),
    ("activate", "active"): N_("This agreement is already active."),
    ("activate", "renewed"): N_("A renewed agreement is already active."),
    ("activate", "terminated"): N_("A terminated agreement cannot become active again: draft "
                                   "a new one."),
    ("renew", "draft"): N_("A draft cannot be renewed: sign it and activate it first."),
    ("renew", "signed"): N_("A signed agreement is renewed once it is active: activate it "
                            "first."),
    ("renew", "terminated"): N_("A terminated agreement cannot be renewed: draft a new one."),
    ("terminate", "terminated"): N_("This agreement is already terminated."),
}
_ALLOWED: dict[Action, frozenset[str]] = {
    "sign": frozenset({"draft"}),
    "activate": frozenset({"signed"}),
    "renew": frozenset({"active", "renewed"}),
    "terminate": frozenset({"draft", "signed", "active", "renewed"}),
}


def refusal(state: str, action: Action) -> str | None:
    """Why ``action`` is not possible in ``state``, or None when it is."""
    if state in _ALLOWED[action]:
        return None
    return _REFUSALS.get((action, state), N_("This change is not possible in this state."))


def allowed_actions(state: str) -> list[Action]:
    return [action for action in ACTIONS if state in _ALLOWED[action]]


def shown_state(state: str, ends_on: date, today: date,
                within_days: int = EXPIRING_DAYS) -> ShownState:
    """The state people see: a running agreement close to its end is "expiring"."""
    if state in ("active", "renewed") and today >= ends_on - timedelta(days=within_days):
        return "expiring"
    return state  # type: ignore[return-value]
