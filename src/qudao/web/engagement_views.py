"""Staff pages of follow-up tasks, meetings, alerts and jobs (the cadence), and the
cadence section of the partner page."""

from __future__ import annotations

from fastapi import APIRouter

from qudao.web import cadence_alerts, cadence_meetings, cadence_section, cadence_tasks

router = APIRouter(include_in_schema=False)
for area in (cadence_tasks, cadence_meetings, cadence_alerts):
    router.include_router(area.router)
# Importing the section module registers it with the partner page.
SECTIONS = (cadence_section.cadence_section,)
