"""The pipeline board: one column per stage, each candidate a card. Moves happen on the
candidate page, where the reason and the due-diligence gate can be explained."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from qudao.http.auth import DbSession, PageStaff
from qudao.http.locale import request_locale
from qudao.http.templates import render
from qudao.partners import pipeline, repository
from qudao.partners.models import Partner
from qudao.partners.types import PARTNER_TYPES
from qudao.screening import diligence
from qudao.web.choices import LABELS, owner_options, people_by_id, staff_people, translated
from qudao.web.scores import by_partner

router = APIRouter(include_in_schema=False)
# Cards per column; past that the column links to the list, filtered to its stage.
BOARD_CARDS = 40


@dataclass(frozen=True)
class Column:
    stage: str
    label: str
    cards: list[Partner]
    # Candidates at this stage that match the filters, and at this stage at all.
    total: int
    everyone: int
    more_url: str | None

    @property
    def parked(self) -> bool:
        return self.stage in pipeline.PARKED_STAGES


def owner_filter(value: str | None) -> int | None:
    """The owner filter as a form sends it: an id, or empty for everyone."""
    return int(value) if value and value.isdigit() else None


@router.get("/pipeline")
def board(
    request: Request, subject: PageStaff, session: DbSession,
    q: Annotated[str | None, Query(max_length=200)] = None,
    partner_type: Annotated[str | None, Query(max_length=60)] = None,
    owner: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    locale = request_locale(request)
    owner_id = owner_filter(owner)
    counts = repository.stage_counts(session, subject)
    columns: list[Column] = []
    for stage in pipeline.STAGES:
        cards, total = repository.search(session, subject, q=q, limit=BOARD_CARDS, offset=0,
                                         stage=stage, partner_type=partner_type or None,
                                         owner_id=owner_id, sort="name")
        more = None
        if total > len(cards):
            query = {"stage": stage, "q": q or "", "partner_type": partner_type or ""}
            more = "/partners?" + urlencode({k: v for k, v in query.items() if v})
        columns.append(Column(stage, pipeline.STAGE_LABELS[stage], cards, total,
                              counts.get(stage, 0), more))
    people = staff_people(session, subject)
    shown = [p for column in columns for p in column.cards]
    return render(request, "partners/board.html", {
        "active": [c for c in columns if not c.parked],
        "parked": [c for c in columns if c.parked],
        "candidates": sum(counts.values()),
        "scores": by_partner(session, subject, locale),
        "flags": diligence.size_flags(session, shown),
        "owners": people_by_id(people),
        "filters": {"q": q or "", "partner_type": partner_type or "",
                    "owner": str(owner_id or "")},
        "filtering": bool(q or partner_type or owner_id),
        "type_options": translated(PARTNER_TYPES, locale),
        "owner_options": owner_options(people),
        **LABELS,
    })
