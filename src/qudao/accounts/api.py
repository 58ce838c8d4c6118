"""JSON routes for the caller, users and API keys."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from qudao.accounts import api_keys, repository, service
from qudao.accounts.schemas import (
    ApiKeyCreate,
    ApiKeyIssued,
    ApiKeyOut,
    ApiKeyRotate,
    Me,
    PreferencesUpdate,
    UserCreate,
    UserOut,
)
from qudao.core.pagination import Page, PageParams, page_params
from qudao.core.pagination import page as paged
from qudao.http.auth import AnyUser, AppSettings, DbSession

router = APIRouter(tags=["accounts"])


@router.get("/me", summary="Who the caller is")
def me(subject: AnyUser) -> Me:
    return Me(kind=subject.kind, role=subject.role, user_id=subject.user_id,
              partner_id=subject.partner_id, api_key_id=subject.api_key_id,
              read_only=subject.read_only, label=subject.label)


@router.patch("/me/preferences", summary="Change the caller's language")
def update_preferences(subject: AnyUser, session: DbSession, data: PreferencesUpdate) -> UserOut:
    return UserOut.model_validate(service.set_locale(session, subject, data.locale))


@router.get("/users", summary="List users the caller may see")
def list_users(
    subject: AnyUser, session: DbSession, page: Annotated[PageParams, Depends(page_params)],
    partner_id: Annotated[int | None, Query()] = None,
) -> Page[UserOut]:
    rows, total = repository.list_users(session, subject, partner_id=partner_id,
                                        limit=page.limit, offset=page.offset)
    return paged(UserOut, rows, total, page)


@router.post("/users", status_code=201, summary="Add a user")
def create_user(subject: AnyUser, session: DbSession, data: UserCreate) -> UserOut:
    return UserOut.model_validate(service.create_user(session, subject, data))


@router.get("/users/{user_id}", summary="One user")
def get_user(subject: AnyUser, session: DbSession, user_id: int) -> UserOut:
    return UserOut.model_validate(repository.get_user(session, subject, user_id))


@router.get("/api-keys", summary="List API keys (never their secrets)")
def list_keys(
    subject: AnyUser, session: DbSession, page: Annotated[PageParams, Depends(page_params)],
    partner_id: Annotated[int | None, Query()] = None,
) -> Page[ApiKeyOut]:
    rows, total = repository.list_keys(session, subject, partner_id=partner_id,
                                       limit=page.limit, offset=page.offset)
    return paged(ApiKeyOut, rows, total, page)


@router.post("/api-keys", status_code=201, summary="Issue an API key; the secret is shown once")
def issue_key(
    subject: AnyUser, session: DbSession, settings: AppSettings, data: ApiKeyCreate
) -> ApiKeyIssued:
    issued = api_keys.issue_key(session, settings, subject, data)
    return ApiKeyIssued(**ApiKeyOut.model_validate(issued.key).model_dump(), key=issued.plaintext)


@router.get("/api-keys/{key_id}", summary="One API key (never its secret)")
def get_key(subject: AnyUser, session: DbSession, key_id: int) -> ApiKeyOut:
    return ApiKeyOut.model_validate(repository.get_key(session, subject, key_id))


@router.post("/api-keys/{key_id}/rotate", status_code=201,
             summary="Issue a replacement; the old key keeps working for the overlap")
def rotate_key(
    subject: AnyUser, session: DbSession, settings: AppSettings, key_id: int,
    data: ApiKeyRotate | None = None,
) -> ApiKeyIssued:
    overlap = None if data is None or data.overlap_hours is None else timedelta(
        hours=data.overlap_hours)
    issued = api_keys.rotate_key(session, settings, subject, key_id, overlap)
    return ApiKeyIssued(**ApiKeyOut.model_validate(issued.key).model_dump(), key=issued.plaintext)


@router.post("/api-keys/{key_id}/revoke", summary="Revoke a key; the next request fails")
def revoke_key(subject: AnyUser, session: DbSession, key_id: int) -> ApiKeyOut:
    return ApiKeyOut.model_validate(api_keys.revoke_key(session, subject, key_id))
