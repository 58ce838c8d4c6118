"""The sourcing pipeline: stages, which moves are allowed, and what a move needs."""

from __future__ import annotations

from qudao.core.i18n import N_

ACTIVE_STAGES: tuple[str, ...] = (
    "sourced", "contacted", "evaluating", "due_diligence", "negotiating", "signed",
)
PARKED_STAGES: tuple[str, ...] = ("on_hold", "rejected")
STAGES: tuple[str, ...] = ACTIVE_STAGES + PARKED_STAGES
STAGE_LABELS: dict[str, str] = {
    "sourced": N_("Sourced"),
    "contacted": N_("Contacted"),
    "evaluating": N_("Evaluating"),
    "due_diligence": N_("Due diligence"),
    "negotiating": N_("Negotiating"),
    "signed": N_("Signed"),
    "on_hold": N_("On hold"),
    "rejected": N_("Rejected"),
}


def needs_reason(current: str, target: str) -> bool:
    """Parking a candidate, or sending it back, must say why."""
    if target in PARKED_STAGES:
        return True
    if current in ACTIVE_STAGES and target in ACTIVE_STAGES:
        return ACTIVE_STAGES.index(target) < ACTIVE_STAGES.index(current)
    return False


def refusal(current: str, target: str) -> str | None:
    """Why a move is not allowed, or None when it is."""
    if target not in STAGES:
        return N_("%(stage)s is not a pipeline stage.")
    if target == current:
        return N_("The candidate is already at this stage.")
    if current == "signed" and target != "on_hold":
        return N_("A signed partner leaves the pipeline through its agreement, not by a move.")
    if current == "rejected" and target not in ("sourced", "contacted"):
        return N_("A rejected candidate is reopened at Sourced or Contacted first.")
    return None
