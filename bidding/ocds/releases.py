"""A tender as Open Contracting data (OCDS 1.1): one release per public event, each a snapshot of
what was public at its date, and the record's compiled release (the snapshot of now).

Pure: the service gathers `TenderFacts`; this module decides what each release shows. What is
secret stays out by construction: bidders and prices appear only in releases dated from the
opening's end, the committee only from the award notice, a document only once published.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from bidding.tender.regime import LEGAL_BASIS, REGIME_WORDS, regime_of

CURRENCY = "CNY"
BID_EXTENSION = "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json"
LEGAL_BASIS_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_legalBasis_extension/master/extension.json"
)

# Our vocabulary → the OCDS codelists (../shared/ocds/1.1/codelists).
# 竞争性磋商 is announced (or invites at least 3) and then negotiates: OCDS's "selective"
METHOD = {"open": "open", "invited": "selective", "consultation": "selective"}
METHOD_DETAILS = {"open": "公开招标", "invited": "邀请招标", "consultation": "竞争性磋商"}
CATEGORY = {"construction": "works", "government_procurement": "goods", "other": "services"}
AWARD_CRITERIA = {"comprehensive_scoring": "ratedCriteria", "lowest_evaluated_price": "priceOnly"}
DOCUMENT_TYPE = {
    "announcement": "tenderNotice",
    "tender_document": "biddingDocuments",
    "amendment": "clarifications",
    "contract": "contractSigned",
}


@dataclass(frozen=True)
class Party:
    uscc: str
    name: str


@dataclass(frozen=True)
class Document:
    id: str
    kind: str  # a key of DOCUMENT_TYPE
    title: str
    published: datetime
    url: str


@dataclass(frozen=True)
class Amendment:
    number: int
    kind: str  # clarification | change
    summary: str
    issued_at: datetime
    deadline_before: datetime
    deadline_after: datetime
    documents: tuple[Document, ...] = ()


@dataclass(frozen=True)
class Opening:
    finished_at: datetime
    tenderers: tuple[Party, ...]
    prices: tuple[Decimal, ...]  # of the bids read out


@dataclass(frozen=True)
class Publicity:
    started_at: datetime
    ends_at: datetime
    round: int
    candidates: tuple[dict[str, Any], ...]  # in candidate order: rank, bid, uscc, bidder, price, total
    committee: tuple[str, ...]


@dataclass(frozen=True)
class Contract:
    amount: Decimal
    signed_on: date
    starts_on: date
    ends_on: date
    recorded_at: datetime
    document: Document | None


@dataclass(frozen=True)
class Award:
    id: uuid.UUID
    supplier: Party
    price: Decimal
    awarded_at: datetime
    declined_at: datetime | None
    contract: Contract | None


@dataclass(frozen=True)
class TenderFacts:
    id: uuid.UUID
    project_name: str
    project_code: str
    project_type: str
    procurement_method: str
    evaluation_method: str
    budget: Decimal
    published_at: datetime
    tenderee: Party
    agency: Party
    documents: tuple[Document, ...]
    amendments: tuple[Amendment, ...] = ()
    opening: Opening | None = None
    publicity: Publicity | None = None
    awards: tuple[Award, ...] = ()
    ended: tuple[str, datetime, str] | None = None  # ("failed" | "cancelled", when, why)
    retender_of: uuid.UUID | None = None
    bid_deadline: datetime | None = None  # the current one (before any amendment: as published)


def ocid_of(prefix: str, tender_id: uuid.UUID) -> str:
    return f"{prefix}-{tender_id}"


def _money(amount: Decimal) -> dict[str, Any]:
    return {"amount": amount, "currency": CURRENCY}


def _when(moment: datetime) -> str:
    return moment.isoformat()


def _party_ref(party: Party) -> dict[str, str]:
    return {"id": party.uscc, "name": party.name}


def _document(d: Document) -> dict[str, Any]:
    return {
        "id": d.id,
        "documentType": DOCUMENT_TYPE[d.kind],
        "title": d.title,
        "url": d.url,
        "datePublished": _when(d.published),
        "language": "zh",
    }


class _Parties:
    """The parties section, each organization once with all its roles, in order of appearance."""

    def __init__(self) -> None:
        self._parties: dict[str, dict[str, Any]] = {}

    def add(self, party: Party, role: str) -> None:
        entry = self._parties.setdefault(
            party.uscc,
            {
                "id": party.uscc,
                "name": party.name,
                "identifier": {"scheme": "CN-USCC", "id": party.uscc, "legalName": party.name},
                "roles": [],
            },
        )
        if role not in entry["roles"]:
            entry["roles"].append(role)

    def listed(self) -> list[dict[str, Any]]:
        return list(self._parties.values())


def _deadline_as_of(facts: TenderFacts, as_of: datetime) -> datetime | None:
    issued = [a for a in facts.amendments if a.issued_at <= as_of]
    if issued:
        return issued[-1].deadline_after
    if facts.amendments:
        return facts.amendments[0].deadline_before
    return facts.bid_deadline


def _tender_status(facts: TenderFacts, as_of: datetime) -> str:
    if facts.ended is not None and facts.ended[1] <= as_of:
        return "cancelled" if facts.ended[0] == "cancelled" else "unsuccessful"
    if any(a.awarded_at <= as_of and a.declined_at is None for a in facts.awards):
        return "complete"
    return "active"


def _award_status(award: Award, as_of: datetime) -> str:
    return "unsuccessful" if award.declined_at is not None and award.declined_at <= as_of else "active"


def snapshot(facts: TenderFacts, prefix: str, as_of: datetime) -> dict[str, Any]:
    """Everything public about the tender at `as_of`, as the body of a release (no id, date, tag)."""
    parties = _Parties()
    parties.add(facts.tenderee, "buyer")
    parties.add(facts.agency, "procuringEntity")
    documents = [d for d in facts.documents if d.published <= as_of]
    amendments = [a for a in facts.amendments if a.issued_at <= as_of]
    for amendment in amendments:
        documents.extend(amendment.documents)
    tender: dict[str, Any] = {
        "id": str(facts.id),
        "title": facts.project_name,
        "description": f"项目编号 {facts.project_code}",
        "status": _tender_status(facts, as_of),
        "procuringEntity": _party_ref(facts.agency),
        "value": _money(facts.budget),
        "procurementMethod": METHOD.get(facts.procurement_method, "open"),
        "procurementMethodDetails": f"{METHOD_DETAILS.get(facts.procurement_method, facts.procurement_method)}"
        f"（{REGIME_WORDS[regime_of(facts.project_type)]}）",
        "legalBasis": LEGAL_BASIS[regime_of(facts.project_type)].as_ocds(),
        "mainProcurementCategory": CATEGORY.get(facts.project_type, "services"),
        "awardCriteria": AWARD_CRITERIA.get(facts.evaluation_method, "ratedCriteria"),
        "submissionMethod": ["electronicSubmission"],
        "tenderPeriod": {"startDate": _when(facts.published_at)},
        "documents": [_document(d) for d in documents],
    }
    deadline = _deadline_as_of(facts, as_of)
    if deadline is not None:
        tender["tenderPeriod"]["endDate"] = _when(deadline)
    if amendments:
        tender["amendments"] = [
            {
                "id": str(a.number),
                "date": _when(a.issued_at),
                "description": a.summary,
                "rationale": "澄清" if a.kind == "clarification" else "修改",
            }
            for a in amendments
        ]
    release: dict[str, Any] = {
        "ocid": ocid_of(prefix, facts.id),
        "initiationType": "tender",
        "language": "zh",
        "buyer": _party_ref(facts.tenderee),
        "tender": tender,
    }
    opening = facts.opening
    if opening is not None and opening.finished_at <= as_of:
        for party in opening.tenderers:
            parties.add(party, "tenderer")
        tender["numberOfTenderers"] = len(opening.tenderers)
        tender["tenderers"] = [_party_ref(p) for p in opening.tenderers]
        statistics: list[dict[str, Any]] = [{"id": "1", "measure": "bids", "value": len(opening.tenderers)}]
        if opening.prices:
            statistics += [
                {"id": "2", "measure": "lowestValidBidValue", "value": min(opening.prices), "currency": CURRENCY},
                {"id": "3", "measure": "highestValidBidValue", "value": max(opening.prices), "currency": CURRENCY},
            ]
        release["bids"] = {"statistics": statistics}
    awards: list[dict[str, Any]] = []
    contracts: list[dict[str, Any]] = []
    publicity = facts.publicity
    made = [a for a in facts.awards if a.awarded_at <= as_of]
    if publicity is not None and publicity.started_at <= as_of and not made and publicity.candidates:
        first = publicity.candidates[0]
        listing = "；".join(
            f"第{rank}名 {c['bidder']}（投标价 {c['price']} 元，得分 {c['total']}）"
            for rank, c in enumerate(publicity.candidates, start=1)
        )
        parties.add(Party(first["uscc"], first["bidder"]), "supplier")
        awards.append(
            {
                "id": f"{facts.id}-publicity-{publicity.round}",
                "title": "中标候选人公示",
                "description": f"{listing}。公示期至 {_when(publicity.ends_at)}",
                "status": "pending",
                "date": _when(publicity.started_at),
                "value": _money(Decimal(first["price"])),
                "suppliers": [_party_ref(Party(first["uscc"], first["bidder"]))],
            }
        )
    for award in made:
        parties.add(award.supplier, "supplier")
        awards.append(
            {
                "id": str(award.id),
                "title": "中标通知",
                **(
                    {"description": f"评标委员会：{'、'.join(publicity.committee)}。"}
                    if publicity and publicity.committee
                    else {}
                ),
                "status": _award_status(award, as_of),
                "date": _when(award.awarded_at),
                "value": _money(award.price),
                "suppliers": [_party_ref(award.supplier)],
            }
        )
        contract = award.contract
        if contract is not None and contract.recorded_at <= as_of:
            contracts.append(
                {
                    "id": f"{award.id}-contract",
                    "awardID": str(award.id),
                    "title": f"{facts.project_name} 合同",
                    "status": "active",
                    "value": _money(contract.amount),
                    "dateSigned": contract.signed_on.isoformat(),
                    "period": {"startDate": contract.starts_on.isoformat(), "endDate": contract.ends_on.isoformat()},
                    "documents": [_document(contract.document)] if contract.document else [],
                }
            )
    if facts.ended is not None and facts.ended[1] <= as_of:
        tender["statusDetails"] = facts.ended[2]
    if facts.retender_of is not None:
        release["relatedProcesses"] = [
            {
                "id": "1",
                "relationship": ["prior"],
                "title": "原招标项目（重新招标）",
                "scheme": "ocid",
                "identifier": ocid_of(prefix, facts.retender_of),
            }
        ]
    release["parties"] = parties.listed()
    if awards:
        release["awards"] = awards
    if contracts:
        release["contracts"] = contracts
    return release


def events(facts: TenderFacts) -> list[tuple[datetime, str, str]]:
    """The tender's public events in order: (date, release tag, release id suffix)."""
    found = [(facts.published_at, "tender", "tender")]
    found += [(a.issued_at, "tenderAmendment", f"amendment-{a.number}") for a in facts.amendments]
    if facts.opening is not None:
        found.append((facts.opening.finished_at, "tenderUpdate", "opening"))
    if facts.publicity is not None:
        found.append((facts.publicity.started_at, "award", f"publicity-{facts.publicity.round}"))
    for award in facts.awards:
        found.append((award.awarded_at, "award", f"award-{award.id}"))
        if award.declined_at is not None:
            found.append((award.declined_at, "awardUpdate", f"award-{award.id}-declined"))
        if award.contract is not None:
            found.append((award.contract.recorded_at, "contract", f"contract-{award.id}"))
    if facts.ended is not None:
        tag = "tenderCancellation" if facts.ended[0] == "cancelled" else "tenderUpdate"
        found.append((facts.ended[1], tag, facts.ended[0]))
    return sorted(found, key=lambda e: e[0])


def releases(facts: TenderFacts, prefix: str) -> list[dict[str, Any]]:
    """One release per public event, each a snapshot of what was public at its date."""
    ocid = ocid_of(prefix, facts.id)
    return [
        {"id": f"{ocid}-{suffix}", "date": _when(at), "tag": [tag], **snapshot(facts, prefix, at)}
        for at, tag, suffix in events(facts)
    ]


def record(facts: TenderFacts, prefix: str, now: datetime) -> dict[str, Any]:
    """The record: every release, and the compiled release (the snapshot of now)."""
    ocid = ocid_of(prefix, facts.id)
    compiled = {"id": f"{ocid}-compiled", "date": _when(now), "tag": ["compiled"], **snapshot(facts, prefix, now)}
    return {"ocid": ocid, "releases": releases(facts, prefix), "compiledRelease": compiled}
