"""Thin handlers of the OCDS export: release packages by date (paginated through `links.next`)
and a record package per ocid. Public, as open contracting data is: no sign-in."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Response, get
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, FromQuery, QueryParameter

from app.core.deps import ClockDep, DbSession, SettingsDep
from app.core.problems import InvalidRequest
from app.core.validation import FieldError
from bidding.ocds import service

MEDIA_TYPE = "application/json"


class _Package(msgspec.Struct, rename="camel", omit_defaults=True):
    uri: str
    version: str
    published_date: str
    publisher: dict[str, str]


class ReleasePackage(_Package):
    """An OCDS 1.1 release package as the feed writes it (each release as the standard's schema)."""

    releases: list[dict[str, Any]]
    extensions: list[str] | None = None
    links: dict[str, str] | None = None  # next: the following page
    audit_log_head: dict[str, Any] | None = None  # the audit log's latest signed tree head


class RecordPackage(_Package):
    """An OCDS 1.1 record package: one record (its releases and the compiled release)."""

    records: list[dict[str, Any]]
    extensions: list[str] | None = None
    audit_log_head: dict[str, Any] | None = None


PageSize = Annotated[int, QueryParameter(ge=1, le=service.MAX_PAGE, description="releases per page")]


def _aware(name: str, value: datetime | None, errors: list[FieldError]) -> None:
    if value is not None and value.tzinfo is None:
        errors.append(FieldError(name, "timezone", "give the time with its offset, e.g. 2026-12-01T00:00:00+08:00"))


class OcdsController(Controller):
    path = "/api/v1/ocds"
    tags = ("open contracting",)

    @get(
        "/releases",
        opt={"public": True},
        responses={
            200: ResponseSpec(ReleasePackage, description="a release package", media_type=MEDIA_TYPE),
            204: ResponseSpec(data_container=None, description="no release is dated in the window"),
        },
    )
    async def releases(
        self,
        db_session: DbSession,
        clock: ClockDep,
        settings: SettingsDep,
        since: FromQuery[datetime | None] = None,
        until: FromQuery[datetime | None] = None,
        after: Annotated[str | None, QueryParameter(max_length=200, description="the cursor of links.next")] = None,
        limit: PageSize = 100,
    ) -> Response[bytes]:
        """A release package of the releases dated in [since, until), oldest first; the next page
        is at the package's `links.next` (a malformed cursor: 400); 204 when the window holds none."""
        errors: list[FieldError] = []
        _aware("since", since, errors)
        _aware("until", until, errors)
        if errors:
            raise InvalidRequest(errors)
        page, cursor = await service.release_page(
            db_session, settings.ocds_prefix, settings.public_url, since=since, until=until, after=after, limit=limit
        )
        if not page:  # a release package holds at least one release
            return Response(b"", status_code=204, media_type=MEDIA_TYPE)
        window = {"since": since.isoformat() if since else None, "until": until.isoformat() if until else None}
        next_uri = service.page_uri(settings.public_url, **window, after=cursor, limit=str(limit)) if cursor else None
        this_uri = service.page_uri(settings.public_url, **window, after=after, limit=str(limit))
        package = await service.with_log_head(
            db_session, service.release_package(page, this_uri, clock.now(), next_uri)
        )
        return Response(service.ENCODER.encode(package), media_type=MEDIA_TYPE)

    @get(
        "/records/{ocid:str}",
        opt={"public": True},
        responses={200: ResponseSpec(RecordPackage, description="a record package", media_type=MEDIA_TYPE)},
    )
    async def record(
        self, db_session: DbSession, clock: ClockDep, settings: SettingsDep, ocid: FromPath[str]
    ) -> Response[bytes]:
        """The record package of one contracting process: its releases and the compiled release."""
        package = await service.record_package(db_session, settings.ocds_prefix, settings.public_url, ocid, clock.now())
        return Response(service.ENCODER.encode(package), media_type=MEDIA_TYPE)
