"""The bid opening: shares, the key, every bid decrypted and read out or classified, the record,
the fewer-than-3 rule, a restart midway, and who may read what afterwards."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any
from unittest import mock

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from app.core.actor import Actor, Role
from app.core.blobs import LocalBlobStore
from app.core.clock import FrozenClock
from app.core.live import NoBroadcast
from app.core.settings import Settings
from app.main import create_app
from bidding.opening.models import BidOpening, HandedInShare, OpeningEvent
from bidding.opening.service import Opening, decrypt_all, hand_in_share, start
from bidding.sealing import envelope
from tests.bids import SECRET_DOCUMENT, new_bidder, published_tender, sealed_bid, submit
from tests.conftest import World, login
from tests.openings import PRICES, at_opening_time, bids_in, hand_in, share_words, wait_for
from tests.steps import run_step


async def test_an_opening_reads_out_every_bid_and_carries_on_past_broken_ones(
    backend: str, client: AsyncTestClient[Litestar], world: World, clock: FrozenClock, settings: Settings
) -> None:
    tender = await published_tender(client, world)
    bidders = await bids_in(client, world, tender, 3)
    # A fourth bid whose declaration lists the wrong digest for its document: the bidder's fault.
    careless = await new_bidder(client, world, "粗心投标单位")
    clock.advance(timedelta(minutes=1))
    with mock.patch("bidding.sealing.envelope.digest_file", return_value=(len(SECRET_DOCUMENT), "0" * 64)):
        assert (await submit(client, tender, careless, sealed_bid(tender, careless, "6000000.00"))).status_code == 201
    # A fifth bid damaged on the platform's own disk after its receipt: the platform's fault.
    damaged = await new_bidder(client, world, "受损投标单位")
    clock.advance(timedelta(minutes=1))
    receipt = (await submit(client, tender, damaged, sealed_bid(tender, damaged, "6500000.00"))).json()["receipt"]
    stored = LocalBlobStore(settings.blob_dir).path(receipt["sha256"])
    data = bytearray(stored.read_bytes())
    data[len(data) // 2] ^= 0xFF
    stored.write_bytes(bytes(data))

    await at_opening_time(client, tender, clock)
    agency_words, agency_headers = await share_words(client, tender, "agency")
    officer_words, officer_headers = await share_words(client, tender, "supervisor")
    first = await hand_in(client, tender, agency_words, agency_headers)
    assert first.status_code == 200 and first.json()["status"] == "awaiting_shares"
    assert [b["name"] for b in first.json()["bidders"]] == [
        "投标单位0",
        "投标单位1",
        "投标单位2",
        "粗心投标单位",
        "受损投标单位",
    ]
    second = await hand_in(client, tender, officer_words, officer_headers)
    assert second.status_code == 200 and second.json()["status"] == "decrypting"
    state = await wait_for(client, tender, "read_out")

    outcomes = {r["uscc"]: (r["outcome"], r.get("price"), r["reason"]) for r in state["results"]}
    for i, bidder in enumerate(bidders):
        assert outcomes[bidder.org.uscc] == ("opened", PRICES[i], None)
    assert outcomes[careless.org.uscc][0] == "revoked" and outcomes[careless.org.uscc][2].startswith(
        "document_mismatch"
    )
    assert outcomes[damaged.org.uscc][0] == "withdrawn" and outcomes[damaged.org.uscc][2].startswith("content_altered")
    record = state["record"]
    assert [b["outcome"] for b in record["bids"]] == ["opened", "opened", "opened", "revoked", "withdrawn"]
    assert record["custodians_present"] == ["agency", "supervisor"]
    assert record["bids"][0]["credit_commitment"] == "本单位承诺所提交材料真实有效。"
    tender_view = (await client.get(f"/api/v1/tenders/{tender.id}", headers=bidders[0].headers)).json()
    assert tender_view["status"] == "opened"
    async with world.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(HandedInShare)) == 0  # the key is discarded


async def test_fewer_than_three_bids_fail_the_tender(
    backend: str, client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    tender = await published_tender(client, world)
    await bids_in(client, world, tender, 2)
    await at_opening_time(client, tender, clock)
    async with world.sessions() as session:
        opening = await start(
            session,
            Opening(
                clock,
                world.settings.tz,
                LocalBlobStore(world.settings.blob_dir),
                NoBroadcast(),
                world.settings.share_secret,
            ),
            Actor.system("t"),
            __import__("uuid").UUID(tender.id),
        )
    assert opening is not None and opening.status == "failed"
    state = (await client.get(f"/api/v1/tenders/{tender.id}/opening", headers=tender.desk.officer_headers)).json()
    assert state["status"] == "failed" and len(state["bidders"]) == 2
    assert (await client.get(f"/api/v1/tenders/{tender.id}", headers=tender.desk.officer_headers)).json()[
        "status"
    ] == "failed"
    words, headers = await share_words(client, tender, "agency")
    refused = await hand_in(client, tender, words, headers)
    assert refused.status_code == 409


async def test_share_rules(backend: str, client: AsyncTestClient[Litestar], world: World, clock: FrozenClock) -> None:
    tender = await published_tender(client, world)
    other = await published_tender(client, world, tender.desk)
    await bids_in(client, world, tender, 3)
    agency_words, agency_headers = await share_words(client, tender, "agency")
    officer_words, officer_headers = await share_words(client, tender, "supervisor")
    foreign_words, _ = await share_words(client, other, "supervisor")

    early = await hand_in(client, tender, agency_words, agency_headers)
    assert early.status_code == 409 and early.json()["type"].endswith("/too-early")
    await at_opening_time(client, tender, clock)
    bidder = await new_bidder(client, world)
    assert (await hand_in(client, tender, agency_words, bidder.headers)).status_code == 403
    stranger = await world.user(Role.supervisor, username="stranger")
    assert (await hand_in(client, tender, agency_words, await login(client, stranger.username))).status_code == 404
    corrupted = " ".join([*agency_words.split()[:-1], "academic" if agency_words.split()[-1] != "academic" else "acid"])
    for words, headers, code in [
        (corrupted, agency_headers, "corrupted"),
        (foreign_words, officer_headers, "wrong_set"),
        (agency_words, officer_headers, "not_your_share"),
    ]:
        response = await hand_in(client, tender, words, headers)
        assert response.status_code == 422 and response.json()["code"] == code, response.text
    assert (await hand_in(client, tender, agency_words, agency_headers)).json()["status"] == "awaiting_shares"
    duplicate = await hand_in(client, tender, agency_words, agency_headers)
    assert duplicate.status_code == 422 and duplicate.json()["code"] == "duplicate"
    state = (await client.get(f"/api/v1/tenders/{tender.id}/opening", headers=officer_headers)).json()
    assert state["shares_from"] == ["agency"] and state["key_rebuilt_at"] is None
    async with world.sessions() as session:  # kept for the opening, never in clear at rest
        (stored,) = (await session.scalars(select(HandedInShare.sealed_share))).all()
    assert not set(agency_words.split()) & set(stored.split()) and agency_words not in stored
    withdrawn = await client.post(f"/api/v1/tenders/{tender.id}/bids/withdraw", headers=bidder.headers)
    assert withdrawn.status_code == 409 and withdrawn.json()["type"].endswith("/bid-deadline-passed")
    assert (await hand_in(client, tender, officer_words, officer_headers)).json()["status"] == "decrypting"


async def test_a_restart_midway_resumes_without_decrypting_anything_twice(
    backend: str, client: AsyncTestClient[Litestar], world: World, clock: FrozenClock, settings: Settings
) -> None:
    tender = await published_tender(client, world)
    await bids_in(client, world, tender, 4)
    await at_opening_time(client, tender, clock)
    tender_id = uuid.UUID(tender.id)
    blobs = LocalBlobStore(settings.blob_dir)

    def context() -> Opening:
        return Opening(clock, settings.tz, blobs, NoBroadcast(), settings.share_secret)

    async def resumed() -> int:
        async with world.sessions() as session:
            return await run_step(session, clock, "opening-resume", settings, world.sessions)

    for role in ("agency", "trading_centre"):
        words, _headers = await share_words(client, tender, role)
        user, _key = tender.desk.custodians[role]
        async with world.sessions() as session:
            await hand_in_share(session, context(), Actor.of(user), tender_id, words)

    opened: list[str] = []
    real_open = envelope.open_envelope

    def counting_open(*args: Any, **kwargs: Any) -> Any:
        result = real_open(*args, **kwargs)
        opened.append(kwargs["bidder"])
        return result

    with mock.patch("bidding.sealing.envelope.open_envelope", counting_open):
        # The first worker opens two bids, then dies; its lease still holds.
        assert await decrypt_all(world.sessions, context(), Actor.system("worker-1"), tender_id, limit=2)
        async with world.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(BidOpening)) == 2
            assert await session.scalar(select(func.count()).select_from(HandedInShare)) == 2  # no share lost
        # A restarted process finds the session; while the lease holds it leaves it alone...
        restarted = create_app(settings, clock)
        async with AsyncTestClient(app=restarted) as after_restart:
            assert await resumed() == 0
            clock.advance(timedelta(seconds=61))
            # ...then it carries on from the third bid.
            assert await resumed() == 1
            state = (
                await after_restart.get(
                    f"/api/v1/tenders/{tender.id}/opening", headers=await login(after_restart, tender.desk.officer_name)
                )
            ).json()
    assert state["status"] == "read_out" and len(state["results"]) == 4
    assert len(opened) == 4 and len(set(opened)) == 4  # each bid decrypted exactly once
    async with world.sessions() as session:
        kinds = (await session.scalars(select(OpeningEvent.kind).order_by(OpeningEvent.seq))).all()
    assert kinds.count("read_out") == 4 and kinds[-1] == "record_published"


async def test_the_record_documents_and_late_watchers(
    backend: str, client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    tender = await published_tender(client, world, record_window_minutes=30)
    bidders = await bids_in(client, world, tender, 3)
    await at_opening_time(client, tender, clock)
    for role in ("agency", "supervisor"):
        words, headers = await share_words(client, tender, role)
        await hand_in(client, tender, words, headers)
    state = await wait_for(client, tender, "read_out")
    finished = datetime.fromisoformat(state["record"]["finished_at"])
    assert datetime.fromisoformat(state["confirm_until"]) == finished + timedelta(minutes=30)  # set on the tender

    # A watcher arriving after the end gets every event, in order, and the stream ends.
    stream = await client.get(f"/api/v1/tenders/{tender.id}/opening/events", headers=bidders[0].headers)
    events = [json.loads(line[len("data: ") :]) for line in stream.text.splitlines() if line.startswith("data: ")]
    kinds = [e["kind"] for e in events]
    assert kinds[0] == "started" and kinds[-1] == "record_published"
    assert kinds.count("share_received") == 2 and kinds.count("read_out") == 3 and "key_rebuilt" in kinds
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert all("share" not in json.dumps(e["data"]).lower() or e["kind"] == "share_received" for e in events)

    # Bidders confirm or object within the window, once.
    path = f"/api/v1/tenders/{tender.id}/opening/record/responses"
    assert (await client.post(path, json={"response": "confirmed"}, headers=bidders[0].headers)).status_code == 201
    objection = {"response": "objected", "comment": "唱标价格与投标函不符"}
    assert (await client.post(path, json=objection, headers=bidders[1].headers)).status_code == 201
    assert (await client.post(path, json={"response": "confirmed"}, headers=bidders[0].headers)).status_code == 409
    outsider = await new_bidder(client, world)
    assert (await client.post(path, json={"response": "confirmed"}, headers=outsider.headers)).status_code == 404

    # The tenderee answers the objection on the spot (Regs art. 44); the record carries the answer.
    objector, confirmer = bidders[1].org.uscc, bidders[0].org.uscc
    answer = {"answer": "经核对投标函，唱标价格无误，异议不成立"}
    not_an_objection = await client.post(f"{path}/{confirmer}/answer", json=answer, headers=tender.desk.agency_headers)
    assert not_an_objection.status_code == 404
    by_bidder = await client.post(f"{path}/{objector}/answer", json=answer, headers=bidders[0].headers)
    assert by_bidder.status_code == 403
    answered = await client.post(f"{path}/{objector}/answer", json=answer, headers=tender.desk.agency_headers)
    assert answered.status_code == 200, answered.text
    again = await client.post(f"{path}/{objector}/answer", json=answer, headers=tender.desk.agency_headers)
    assert again.status_code == 409
    shown = (await client.get(f"/api/v1/tenders/{tender.id}/opening", headers=bidders[2].headers)).json()
    [carried] = [r for r in shown["responses"] if r["uscc"] == objector]
    assert carried["answer"] == answer["answer"] and carried["answered_at"]
    clock.set(datetime.fromisoformat(state["confirm_until"]) + timedelta(seconds=1))
    assert (await client.post(path, json={"response": "confirmed"}, headers=bidders[2].headers)).status_code == 409

    # Decrypted documents: the agency and supervisors read them; bidders do not.
    async with world.sessions() as session:
        bid_id = (await session.scalars(select(BidOpening.bid_id).where(BidOpening.outcome == "opened"))).first()
    document = f"/api/v1/tenders/{tender.id}/opening/bids/{bid_id}/documents/0"
    assert (await client.get(document, headers=tender.desk.agency_headers)).content == SECRET_DOCUMENT
    assert (await client.get(document, headers=tender.desk.officer_headers)).content == SECRET_DOCUMENT
    assert (await client.get(document, headers=bidders[0].headers)).status_code == 403
