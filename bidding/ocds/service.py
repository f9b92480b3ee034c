"""The OCDS export's reading side: gathers a tender's public facts for `bidding.ocds.releases`,
pages releases by date, wraps them in release and record packages.

Releases are derived from the tables each time (never stored), so an export always agrees with
the platform; each is a snapshot as of its event, so a later event never rewrites an earlier one.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import transparency
from app.core.models import AuditEvent
from app.core.problems import NotFound
from app.identity import service as identity
from bidding.award.models import Award, AwardDocument, AwardFile, Cancellation
from bidding.award.states import AwardStatus, CancellationStatus
from bidding.filing.models import FilingDocument
from bidding.ocds import releases as ocds
from bidding.opening.models import BidOpening, OpeningSession
from bidding.tender.models import Tender, TenderAmendment
from bidding.tender.service import PUBLIC_FILING_DOCUMENTS
from bidding.tender.states import TenderStatus

OCDS_VERSION = "1.1"
PUBLISHER = {"name": "ggzy 公共资源交易平台"}
MAX_PAGE = 1000
ENCODER = msgspec.json.Encoder(decimal_format="number")  # OCDS amounts are JSON numbers, exactly


def _party(names: dict[str, str], uscc: str) -> ocds.Party:
    return ocds.Party(uscc, names.get(uscc, uscc))


async def _ended(session: AsyncSession, tender: Tender) -> tuple[str, datetime, str] | None:
    if tender.status == TenderStatus.cancelled:
        cancellation = await session.scalar(
            select(Cancellation).where(
                Cancellation.tender_id == tender.id, Cancellation.status == CancellationStatus.confirmed
            )
        )
        if cancellation is not None and cancellation.decided_at is not None:
            return ("cancelled", cancellation.decided_at, cancellation.reason)
    if tender.status in (TenderStatus.failed, TenderStatus.cancelled):
        last = await session.scalar(
            select(AuditEvent.occurred_at)
            .where(AuditEvent.object_type == "tender", AuditEvent.object_id == str(tender.id))
            .order_by(AuditEvent.occurred_at.desc())
            .limit(1)
        )
        return (
            str(tender.status),
            last or tender.published_at,
            "流标" if tender.status == TenderStatus.failed else "终止",
        )
    return None


async def tender_facts(session: AsyncSession, tender: Tender, public_url: str) -> ocds.TenderFacts:
    """What the platform has made public about `tender`, and when."""
    doc_url = f"{public_url}/api/v1/tenders/{tender.id}/documents"
    filed = await session.scalars(
        select(FilingDocument)
        .where(FilingDocument.filing_id == tender.filing_id, FilingDocument.kind.in_(PUBLIC_FILING_DOCUMENTS))
        .order_by(FilingDocument.uploaded_at)
    )
    documents = tuple(
        ocds.Document(str(d.id), d.kind, d.filename, tender.published_at, f"{doc_url}/{d.id}") for d in filed
    )
    amendments = tuple(
        ocds.Amendment(
            a.number,
            a.kind,
            a.summary,
            a.issued_at,
            a.deadline_before,
            a.deadline_after,
            tuple(
                ocds.Document(d["id"], "amendment", d["filename"], a.issued_at, f"{doc_url}/{d['id']}")
                for d in a.documents
            ),
        )
        for a in await session.scalars(
            select(TenderAmendment).where(TenderAmendment.tender_id == tender.id).order_by(TenderAmendment.number)
        )
    )
    session_row = await session.get(OpeningSession, tender.id)
    award_file = await session.get(AwardFile, tender.id)
    award_rows = list(
        await session.scalars(select(Award).where(Award.tender_id == tender.id).order_by(Award.awarded_at))
    )
    usccs = {tender.tenderee_uscc, tender.agency_uscc} | {a.bidder_uscc for a in award_rows}
    if session_row is not None:
        usccs |= {b["uscc"] for b in session_row.bidders}
    names = await identity.org_names(session, usccs)
    opening = None
    if session_row is not None and session_row.finished_at is not None:
        read_out: list[dict[str, Any] | None] = list(
            await session.scalars(
                select(BidOpening.declaration).where(BidOpening.tender_id == tender.id, BidOpening.outcome == "opened")
            )
        )
        opening = ocds.Opening(
            session_row.finished_at,
            tuple(_party(names, b["uscc"]) for b in session_row.bidders),
            tuple(Decimal(d["price"]) for d in read_out if d),
        )
    publicity = None
    if award_file is not None and award_file.publicity_started_at is not None and award_file.publicity_ends_at:
        publicity = ocds.Publicity(
            award_file.publicity_started_at,
            award_file.publicity_ends_at,
            award_file.publicity_round,
            tuple(award_file.candidates),
            tuple(award_file.committee or ()),
        )
    return ocds.TenderFacts(
        id=tender.id,
        project_name=tender.project_name,
        project_code=tender.project_code,
        project_type=tender.project_type,
        procurement_method=tender.procurement_method,
        evaluation_method=tender.evaluation_method,
        budget=tender.budget,
        published_at=tender.published_at,
        tenderee=_party(names, tender.tenderee_uscc),
        agency=_party(names, tender.agency_uscc),
        documents=documents,
        amendments=amendments,
        opening=opening,
        publicity=publicity,
        awards=tuple([await _award(session, a, names, public_url) for a in award_rows]),
        ended=await _ended(session, tender),
        retender_of=tender.retender_of,
        bid_deadline=tender.bid_deadline,
    )


async def _award(session: AsyncSession, a: Award, names: dict[str, str], public_url: str) -> ocds.Award:
    contract = None
    if a.contract_recorded_at is not None and a.contract_amount is not None:
        assert a.contract_signed_on and a.contract_starts_on and a.contract_ends_on, "recorded with its dates"
        document = await session.get(AwardDocument, a.contract_document_id) if a.contract_document_id else None
        contract = ocds.Contract(
            a.contract_amount,
            a.contract_signed_on,
            a.contract_starts_on,
            a.contract_ends_on,
            a.contract_recorded_at,
            ocds.Document(
                str(document.id),
                "contract",
                document.filename,
                a.contract_recorded_at,
                f"{public_url}/api/v1/tenders/{a.tender_id}/award",
            )
            if document
            else None,
        )
    declined = a.declined_at if a.status == AwardStatus.declined else None
    return ocds.Award(a.id, _party(names, a.bidder_uscc), a.price, a.awarded_at, declined, contract)


def _cursor(release: dict[str, Any]) -> str:
    return f"{release['date']}~{release['id']}"


def _after(release: dict[str, Any], cursor: str | None) -> bool:
    if cursor is None:
        return True
    at, _, release_id = cursor.partition("~")
    mine = datetime.fromisoformat(release["date"])
    return (mine, release["id"]) > (datetime.fromisoformat(at), release_id)


async def release_page(
    session: AsyncSession,
    prefix: str,
    public_url: str,
    *,
    since: datetime | None,
    until: datetime | None,
    after: str | None,
    limit: int,
) -> tuple[list[dict[str, Any]], str | None]:
    """Releases dated in [since, until), by date then id, after `cursor`; and the next cursor."""
    query = select(Tender).order_by(Tender.published_at, Tender.id)
    if until is not None:
        query = query.where(Tender.published_at < until)
    found: list[dict[str, Any]] = []
    for tender in await session.scalars(query):
        for release in ocds.releases(await tender_facts(session, tender, public_url), prefix):
            moment = datetime.fromisoformat(release["date"])
            if (since is None or moment >= since) and (until is None or moment < until) and _after(release, after):
                found.append(release)
    found.sort(key=lambda r: (datetime.fromisoformat(r["date"]), r["id"]))
    page = found[:limit]
    return page, (_cursor(page[-1]) if len(found) > limit else None)


async def export_window(
    session: AsyncSession,
    prefix: str,
    public_url: str,
    now: datetime,
    *,
    since: datetime | None,
    until: datetime | None,
    on_tender: Callable[[int], None] = lambda _total: None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """For `ggzy export ocds`: the releases dated in [since, until), by date, and the record of
    every tender that has one; `on_tender(total)` is called once per tender read."""
    query = select(Tender).order_by(Tender.published_at, Tender.id)
    if until is not None:
        query = query.where(Tender.published_at < until)
    tenders = list(await session.scalars(query))
    found: list[dict[str, Any]] = []
    records: list[dict[str, Any]] = []
    for tender in tenders:
        facts = await tender_facts(session, tender, public_url)
        inside = [
            r
            for r in ocds.releases(facts, prefix)
            if (since is None or datetime.fromisoformat(r["date"]) >= since)
            and (until is None or datetime.fromisoformat(r["date"]) < until)
        ]
        if inside:
            found.extend(inside)
            records.append(ocds.record(facts, prefix, now))
        on_tender(len(tenders))
    found.sort(key=lambda r: (datetime.fromisoformat(r["date"]), r["id"]))
    return found, records


def release_package(
    releases: Sequence[dict[str, Any]], uri: str, now: datetime, next_uri: str | None
) -> dict[str, Any]:
    package: dict[str, Any] = {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": now.isoformat(),
        "publisher": PUBLISHER,
        "releases": list(releases),
    }
    if any("bids" in r for r in releases):
        package["extensions"] = [ocds.BID_EXTENSION]
    if next_uri is not None:
        package["links"] = {"next": next_uri}
    return package


async def with_log_head(session: AsyncSession, package: dict[str, Any]) -> dict[str, Any]:
    """The package with the audit log's latest signed tree head (docs/transparency.md), by which
    a reader can later check that the platform's record of these events was not rewritten."""
    head = await transparency.latest_head(session)
    if head is not None:
        package["auditLogHead"] = transparency.head_view(head)
    return package


def page_uri(public_url: str, **query: str | None) -> str:
    present = {k: v for k, v in query.items() if v is not None}
    return f"{public_url}/api/v1/ocds/releases" + (f"?{urlencode(present)}" if present else "")


def record_package_of(records: Sequence[dict[str, Any]], uri: str, now: datetime) -> dict[str, Any]:
    package: dict[str, Any] = {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": now.isoformat(),
        "publisher": PUBLISHER,
        "records": list(records),
    }
    if any("bids" in r for record in records for r in record["releases"]):
        package["extensions"] = [ocds.BID_EXTENSION]
    return package


async def record_package(
    session: AsyncSession, prefix: str, public_url: str, ocid: str, now: datetime
) -> dict[str, Any]:
    """The record package of one tender's ocid."""
    tender_id = ocid.removeprefix(f"{prefix}-")
    try:
        tender = None if tender_id == ocid else await session.get(Tender, uuid.UUID(tender_id))
    except ValueError:
        tender = None
    if tender is None:
        raise NotFound(f"no contracting process {ocid}")
    record = ocds.record(await tender_facts(session, tender, public_url), prefix, now)
    return await with_log_head(session, record_package_of([record], f"{public_url}/api/v1/ocds/records/{ocid}", now))
