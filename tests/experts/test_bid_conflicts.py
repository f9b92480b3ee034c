"""Conflicts between bids that make them invalid (Regulations arts. 34 ¶2, 37 ¶3), flagged to the
committee with their evidence: the pure rule, and what the committee and the supervisors read once
the evaluation starts."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.identity.models import OrgKind
from experts.bid_conflicts import BidParties, conflicts
from tests.bids import new_bidder
from tests.conftest import World, random_uscc
from tests.evaluations import drawn_committee
from tests.openings import at_opening_time, hand_in, share_words, wait_for

A, B, C, D = (random_uscc() for _ in range(4))


@pytest.mark.pure
def test_a_shared_head_or_a_member_in_two_bids_is_flagged_and_nothing_else() -> None:
    heads = {A: "h1", B: "h1", C: "h2", D: None}
    bids = [BidParties("1", (A,)), BidParties("2", (B,)), BidParties("3", (C, A)), BidParties("4", (D,))]
    found = [(f["kind"], f["bids"], f["organizations"]) for f in conflicts(bids, heads)]
    assert found == [
        ("same_legal_representative", ["1", "2"], sorted([A, B])),
        ("organization_in_two_bids", ["1", "3"], [A]),
        ("same_legal_representative", ["2", "3"], sorted([A, B])),
    ]
    assert conflicts([BidParties("1", (C,)), BidParties("4", (D,))], {C: None, D: None}) == []  # no ID on file


async def test_the_committee_reads_the_conflicts_between_bids_once_the_evaluation_starts(
    client: AsyncTestClient[Litestar], world: World
) -> None:
    same_head = "11010519491231002X"
    first_org = await world.org(OrgKind.bidder, "江城甲建设", "张三", same_head)
    second_org = await world.org(OrgKind.bidder, "江城乙建设", "张三", same_head)
    bidders = [
        await new_bidder(client, world, org=first_org),
        await new_bidder(client, world, org=second_org),
        await new_bidder(client, world, "江城丙建设"),
    ]
    scene = await drawn_committee(client, world, bidders=bidders, consortium={2: [first_org.uscc]})
    desk = scene.tender.desk
    await at_opening_time(client, scene.tender, world.clock)
    for role in ("agency", "supervisor"):
        words, headers = await share_words(client, scene.tender, role)
        await hand_in(client, scene.tender, words, headers)
    await wait_for(client, scene.tender, "read_out")
    assert (await client.post(f"{scene.url}/evaluation/start", headers=desk.officer_headers)).status_code == 200

    view = (await client.get(f"{scene.url}/evaluation", headers=desk.officer_headers)).json()
    bid_of = {b["uscc"]: b["bid"] for b in view["bids"]}
    flagged = [(c["kind"], c["bids"], c["basis"]) for c in view["conflicts"]]
    assert flagged == [
        (
            "same_legal_representative",
            [bid_of[first_org.uscc], bid_of[second_org.uscc]],
            "招标投标法实施条例第三十四条第二款",
        ),
        (
            "organization_in_two_bids",
            [bid_of[first_org.uscc], bid_of[bidders[2].org.uscc]],
            "招标投标法实施条例第三十七条第三款",
        ),
        (
            "same_legal_representative",
            [bid_of[second_org.uscc], bid_of[bidders[2].org.uscc]],
            "招标投标法实施条例第三十四条第二款",
        ),
    ]
    assert same_head not in str(view)  # the evidence names organizations, never the resident ID
    member = await scene.headers_of(next(s["name"] for s in await scene.committee() if s["status"] == "drawn"))
    assert (await client.get(f"{scene.url}/evaluation", headers=member)).json()["conflicts"] == view["conflicts"]
    agency = (await client.get(f"{scene.url}/evaluation", headers=desk.agency_headers)).json()
    assert "conflicts" not in agency and "bids" not in agency
