"""`bidding.ocds.releases`: each release is a snapshot as of its event, so what is secret at a
date stays out of every release of that date, and a later event never rewrites an earlier one."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from bidding.ocds.releases import Amendment, Award, Opening, Party, Publicity, TenderFacts, releases

pytestmark = pytest.mark.pure

T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
BIDDERS = (Party("91420100MA4K0001X1", "甲建设"), Party("91420100MA4K0002X1", "乙建设"))
FACTS = TenderFacts(
    id=uuid.UUID(int=7),
    project_name="教学楼新建工程",
    project_code="JC-1",
    project_type="construction",
    procurement_method="open",
    evaluation_method="comprehensive_scoring",
    budget=Decimal("12500000.00"),
    published_at=T0,
    tenderee=Party("11420100MB0000001X", "教育局"),
    agency=Party("91420100MA4K0009X1", "招标代理"),
    documents=(),
    amendments=(
        Amendment(1, "change", "工期修改", T0 + timedelta(days=15), T0 + timedelta(days=25), T0 + timedelta(days=30)),
    ),
    opening=Opening(T0 + timedelta(days=30), BIDDERS, (Decimal("7990000.00"), Decimal("8100000.00"))),
    publicity=Publicity(
        T0 + timedelta(days=32),
        T0 + timedelta(days=35),
        1,
        ({"bid": "b1", "uscc": BIDDERS[0].uscc, "bidder": "甲建设", "price": "7990000.00", "total": "66.00"},),
        ("评委甲", "评委乙"),
    ),
    awards=(Award(uuid.UUID(int=9), BIDDERS[0], Decimal("7990000.00"), T0 + timedelta(days=36), None, None),),
    bid_deadline=T0 + timedelta(days=30),
)


def test_each_release_shows_only_what_was_public_at_its_date() -> None:
    tender, amendment, opening, publicity, award = releases(FACTS, "ocds-ggzy00")
    assert [r["tag"] for r in (tender, amendment, opening, publicity, award)] == [
        ["tender"], ["tenderAmendment"], ["tenderUpdate"], ["award"], ["award"]
    ]  # fmt: skip
    assert tender["tender"]["tenderPeriod"]["endDate"] == (T0 + timedelta(days=25)).isoformat()  # as published
    assert amendment["tender"]["tenderPeriod"]["endDate"] == (T0 + timedelta(days=30)).isoformat()  # moved
    for before_opening in (tender, amendment):
        assert "bids" not in before_opening and "甲建设" not in str(before_opening)
    assert opening["tender"]["numberOfTenderers"] == 2 and "awards" not in opening
    assert "评委甲" not in str(opening) and "评委甲" not in str(publicity)  # secret until the award notice
    assert publicity["awards"][0]["status"] == "pending" and award["tender"]["status"] == "complete"
    assert award["awards"] == [
        {
            "id": str(uuid.UUID(int=9)),
            "title": "中标通知",
            "description": "评标委员会：评委甲、评委乙。",
            "status": "active",
            "date": (T0 + timedelta(days=36)).isoformat(),
            "value": {"amount": Decimal("7990000.00"), "currency": "CNY"},
            "suppliers": [{"id": BIDDERS[0].uscc, "name": "甲建设"}],
        }
    ]
    assert date.fromisoformat(award["date"][:10]) > date.fromisoformat(publicity["date"][:10])
