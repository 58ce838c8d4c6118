"""What every program page shares: which program it is about (the one asked for with
``?program=``, or the default one), the query that keeps that choice across links, the
switcher between programs, and how many rows a form of repeated inputs showed."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from qudao.accounts.subject import AuthSubject
from qudao.programs import repository
from qudao.programs.models import Program

ProgramChoice = Annotated[int | None, Query(alias="program", ge=1, le=2**62)]


def selected_program(
    session: Session, subject: AuthSubject, program_id: int | None
) -> Program | None:
    """The program a page is about: the one asked for, or the default one."""
    if program_id is not None:
        return repository.get_program(session, subject, program_id)
    return repository.default_program(session)


def program_query(program: Program | None, session: Session) -> str:
    """The query that keeps a chosen program across links (none for the default one)."""
    default = repository.default_program(session)
    if program is None or default is None or program.id == default.id:
        return ""
    return f"?program={program.id}"


def program_context(
    session: Session, subject: AuthSubject, program: Program | None
) -> dict[str, Any]:
    """What every program page's header needs: the program, and the switcher."""
    query = program_query(program, session)
    # "?program=7" to start a query, "&program=7" to add to one; both empty by default.
    return {"program": program, "programs": repository.list_programs(session, subject),
            "program_query": query, "program_amp": query.replace("?", "&", 1)}


def posted_rows(form: FormData | None, prefix: str) -> int:
    """How many rows of inputs named ``<prefix><field>_<row>`` were filled in: up to the
    last row with any text, so that a refused form does not grow by its empty rows."""
    if form is None:
        return 0
    numbers = [int(key.rsplit("_", 1)[1]) for key, value in form.multi_items()
               if key.startswith(prefix) and key.rsplit("_", 1)[1].isdigit()
               and isinstance(value, str) and value.strip()]
    return max(numbers, default=-1) + 1
