"""The OCDS export's reading side: gathers a tender's public facts for `bidding.ocds.releases`,
keeps the stored index of releases the public feed pages through, wraps them in release and
record packages.

Releases are derived from the tables; the feed reads them from an index (`bidding.ocds.models`)
that derives a tender's releases again whenever the audit log has a new event of it, so a page
costs the same at any number of tenders and the feed always agrees with the platform. Each is a
snapshot as of its event, so a later event never rewrites an earlier one. Records and the
`ggzy export ocds` files are derived directly.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import msgspec
from sqlalchemy import delete, insert, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import transparency
from app.core.models import AuditEvent, TlogLeaf
from app.core.problems import InvalidRequest, NotFound
from app.core.validation import FieldError
from app.identity import service as identity
from bidding.award.models import Award, AwardDocument, AwardFile, Cancellation
from bidding.award.states import ENDED_AWARDS, CancellationStatus
from bidding.filing.models import FilingDocument
from bidding.ocds import releases as ocds
from bidding.ocds.models import OcdsIndexState, OcdsRelease
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
    declined = a.declined_at if a.status in ENDED_AWARDS else None
    return ocds.Award(a.id, _party(names, a.bidder_uscc), a.price, a.awarded_at, declined, contract)


def _cursor(release: OcdsRelease) -> str:
    return f"{release.date.isoformat()}~{release.release_id}"


class BadCursor(InvalidRequest):
    """A malformed cursor is a bad request (400), naming `after`, as a malformed body is."""

    status, slug, title = 400, "bad-cursor", "Bad Request"


def parse_cursor(cursor: str) -> tuple[datetime, str]:
    """A feed cursor as `links.next` gives it (date~release id), or a 400 naming `after`."""
    at, tilde, release_id = cursor.partition("~")
    try:
        moment = datetime.fromisoformat(at) if tilde and release_id else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        reason = "not a cursor of links.next (an ISO time with its offset, '~', a release id)"
        raise BadCursor([FieldError("after", "cursor", reason)])
    return moment, release_id


async def sync_index(session: AsyncSession, prefix: str, public_url: str) -> int:
    """Bring the stored releases up to date with the audit log (in commit order, through the
    transparency log): every tender with an event the index has not read has its releases derived
    again. Idempotent; one indexer at a time (a row lock); the number of tenders indexed."""
    try:
        while await transparency.integrate(session) == transparency.BATCH:
            pass
    except IntegrityError:  # SQLite: another integrator wrote these leaves first; read what it wrote
        await session.rollback()
    size = await transparency.integrated_size(session)
    state = await session.get(OcdsIndexState, 1)  # its one row is written by the migration
    if state is None or state.leaves_read >= size:
        await session.commit()
        return 0
    state = await session.get(OcdsIndexState, 1, with_for_update=True, populate_existing=True)
    if state is None or state.leaves_read >= size:  # another indexer read as far meanwhile
        await session.commit()
        return 0
    changed = set(
        await session.scalars(
            select(AuditEvent.object_id)
            .join(TlogLeaf, TlogLeaf.seq == AuditEvent.seq)
            .where(TlogLeaf.leaf_index >= state.leaves_read, TlogLeaf.leaf_index < size)
            .where(AuditEvent.object_type == "tender")
            .distinct()
        )
    )
    ids = [uuid.UUID(i) for i in changed if _is_uuid(i)]
    tenders = list(await session.scalars(select(Tender).where(Tender.id.in_(ids)))) if ids else []
    for tender in tenders:
        await session.execute(delete(OcdsRelease).where(OcdsRelease.tender_id == tender.id))
        rows = [
            {
                "release_id": r["id"],
                "tender_id": tender.id,
                "date": datetime.fromisoformat(r["date"]),
                "body": ENCODER.encode(r).decode(),
            }
            for r in ocds.releases(await tender_facts(session, tender, public_url), prefix)
        ]
        if rows:
            await session.execute(insert(OcdsRelease), rows)
    state.leaves_read = size
    await session.commit()
    return len(tenders)


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


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
    """Releases dated in [since, until), by date then id, after the cursor `after`; and the next
    cursor. One indexed read of the stored releases (brought up to date first)."""
    cursor = parse_cursor(after) if after is not None else None
    await sync_index(session, prefix, public_url)
    query = select(OcdsRelease).order_by(OcdsRelease.date, OcdsRelease.release_id).limit(limit + 1)
    if since is not None:
        query = query.where(OcdsRelease.date >= since)
    if until is not None:
        query = query.where(OcdsRelease.date < until)
    if cursor is not None:
        query = query.where(tuple_(OcdsRelease.date, OcdsRelease.release_id) > tuple_(*cursor))
    found = list(await session.scalars(query))
    page = found[:limit]
    return [msgspec.json.decode(r.body) for r in page], (_cursor(page[-1]) if len(found) > limit else None)


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
    package["extensions"] = extensions_of(releases)
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
    package["extensions"] = extensions_of([r for record in records for r in record["releases"]])
    return package


def extensions_of(releases: Sequence[dict[str, Any]]) -> list[str]:
    """The extensions the releases use: the legal basis always (every tender states its regime),
    bids when one carries them."""
    bids = [ocds.BID_EXTENSION] if any("bids" in r for r in releases) else []
    return [*bids, ocds.LEGAL_BASIS_EXTENSION]


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
