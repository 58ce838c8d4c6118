"""Every SELECT of programs, value-proposition versions and products.

Programs are the company's own plans: staff read them, nobody else. The catalogue is read
by everybody signed in (partners register deals on its products), but a partner sees only
the products on sale; a withdrawn product answers 404 to them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVarTuple

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import Session, selectinload

from qudao.accounts.subject import AuthSubject
from qudao.core.errors import NotFound
from qudao.core.i18n import N_
from qudao.db.paging import page_of
from qudao.programs.models import Product, Program, ValueProposition

Ts = TypeVarTuple("Ts")


def scoped_programs(subject: AuthSubject, query: Select[*Ts]) -> Select[*Ts]:
    """Restricts any query over programs to the rows the caller may read."""
    return query if subject.is_staff else query.where(false())


def get_program(session: Session, subject: AuthSubject, program_id: int) -> Program:
    program = session.scalar(scoped_programs(subject, select(Program))
                             .where(Program.id == program_id))
    if program is None:
        raise NotFound(N_("Program %(id)s was not found."), id=program_id)
    return program


def list_programs(session: Session, subject: AuthSubject) -> list[Program]:
    return list(session.scalars(scoped_programs(subject, select(Program)).order_by(Program.id)))


def default_program(session: Session) -> Program | None:
    """The program deals and referrals fall back on: the only one, or the first made."""
    return session.scalar(select(Program).order_by(Program.id).limit(1))


def program_by_name(session: Session, name: str) -> Program | None:
    return session.scalar(select(Program).where(func.lower(Program.name) == name.lower()))


def latest_version(session: Session, program_id: int) -> ValueProposition | None:
    return session.scalar(select(ValueProposition)
                          .where(ValueProposition.program_id == program_id)
                          .order_by(ValueProposition.version.desc()).limit(1))


def version(session: Session, program_id: int, number: int) -> ValueProposition:
    found = session.scalar(select(ValueProposition).where(
        ValueProposition.program_id == program_id, ValueProposition.version == number))
    if found is None:
        raise NotFound(N_("Version %(version)s of the value proposition was not found."),
                       field="version", version=number)
    return found


def versions(session: Session, program_id: int) -> list[ValueProposition]:
    """Newest first."""
    return list(session.scalars(select(ValueProposition)
                                .where(ValueProposition.program_id == program_id)
                                .order_by(ValueProposition.version.desc())))


def version_count(session: Session, program_id: int) -> int:
    return int(session.scalar(select(func.count()).select_from(ValueProposition)
                              .where(ValueProposition.program_id == program_id)) or 0)


def scoped_products(subject: AuthSubject, query: Select[*Ts]) -> Select[*Ts]:
    if subject.is_staff:
        return query
    if subject.is_authenticated:
        return query.where(Product.active.is_(True))
    return query.where(false())


def readable_products(subject: AuthSubject) -> Select[Product]:
    return scoped_products(subject, select(Product)).options(selectinload(Product.prices))


def get_product(session: Session, subject: AuthSubject, product_id: int) -> Product:
    product = session.scalar(readable_products(subject).where(Product.id == product_id))
    if product is None:
        raise NotFound(N_("Product %(id)s was not found."), id=product_id)
    return product


def product_by_sku(session: Session, sku: str) -> Product | None:
    return session.scalar(select(Product).where(Product.sku == sku)
                          .options(selectinload(Product.prices)))


def products_by_sku(session: Session, skus: Iterable[str]) -> dict[str, Product]:
    wanted = sorted(set(skus))
    found: dict[str, Product] = {}
    # Bounded IN lists: an import may name tens of thousands of SKUs.
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        for product in session.scalars(select(Product).where(Product.sku.in_(chunk))
                                       .options(selectinload(Product.prices))):
            found[product.sku] = product
    return found


def search_products(
    session: Session, subject: AuthSubject, *, q: str | None, active: bool | None,
    limit: int, offset: int,
) -> tuple[list[Product], int]:
    query = readable_products(subject)
    if q and q.strip():
        pattern = f"%{q.strip().lower()}%"
        query = query.where(or_(func.lower(Product.sku).like(pattern),
                                func.lower(Product.name).like(pattern),
                                func.lower(Product.description).like(pattern)))
    if active is not None:
        query = query.where(Product.active.is_(active))
    return page_of(session, query, Product.sku, Product.id, limit=limit, offset=offset)


def all_products(session: Session, subject: AuthSubject) -> list[Product]:
    """The whole catalogue the caller may read, by SKU: what an export writes."""
    return list(session.scalars(readable_products(subject).order_by(Product.sku)))


def product_count(session: Session, *, active_only: bool) -> int:
    query = select(func.count()).select_from(Product)
    if active_only:
        query = query.where(Product.active.is_(True))
    return int(session.scalar(query) or 0)
