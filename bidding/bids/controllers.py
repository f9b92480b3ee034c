"""HTTP handlers of sealed bidding: key registration, the tender's opening key and custody shares."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from app.core.actor import Role
from app.core.blobs import UPLOAD_CEILING_BYTES
from app.core.deps import (
    ActorDep,
    AfterBidDep,
    BlobsDep,
    ClockDep,
    CreditGateDep,
    DbSession,
    ReceiptKeyDep,
    SettingsDep,
)
from app.core.guards import requires, signed_in
from bidding.bids import publication, registry
from bidding.bids import service as submission
from bidding.bids.registry import KeyPurpose
from bidding.bids.schemas import BidOut, KeyIn, KeyOut, OpeningKeyOut, ShareOut
from bidding.sealing.keys import fingerprint
from bidding.sealing.receipts import platform_public_text

CUSTODIANS = requires(Role.agency, Role.supervisor, Role.admin)


logger = logging.getLogger("ggzy.bids")


class KeyController(Controller):
    path = "/api/v1/keys"
    tags = ("keys",)

    @post("/bid-signing", guards=[requires(Role.bidder)])
    async def register_signing_key(
        self, data: JSONBody[KeyIn], db_session: DbSession, clock: ClockDep, actor: ActorDep
    ) -> KeyOut:
        """Register the organization's bid-signing key (from `ggzy keygen`); the previous one retires."""
        assert actor.org_uscc is not None
        key = await registry.register(db_session, clock, actor, KeyPurpose.bid_signing, actor.org_uscc, data.public_key)
        return KeyOut.of(key)

    @get("/bid-signing", guards=[requires(Role.bidder)])
    async def signing_keys(self, db_session: DbSession, actor: ActorDep) -> list[KeyOut]:
        """The organization's signing keys, the active one first, retired ones after."""
        assert actor.org_uscc is not None
        return [KeyOut.of(k) for k in await registry.history(db_session, KeyPurpose.bid_signing, actor.org_uscc)]

    @post("/custody", guards=[CUSTODIANS])
    async def register_custody_key(
        self, data: JSONBody[KeyIn], db_session: DbSession, clock: ClockDep, actor: ActorDep
    ) -> KeyOut:
        """Register your custody key (`ggzy keygen --custody`): opening-key shares are sealed to it."""
        key = await registry.register(db_session, clock, actor, KeyPurpose.custody, str(actor.user_id), data.public_key)
        return KeyOut.of(key)


class TenderKeyController(Controller):
    path = "/api/v1/tenders/{tender_id:uuid}"
    tags = ("tenders",)

    @get("/opening-key", guards=[signed_in])
    async def opening_key(
        self, tender_id: FromPath[uuid.UUID], db_session: DbSession, actor: ActorDep
    ) -> OpeningKeyOut:
        """The public key bids for this tender are sealed to (for `ggzy seal --tender-key`)."""
        return await publication.opening_key(db_session, actor, tender_id)

    @get("/custody/share", guards=[CUSTODIANS])
    async def my_share(
        self, tender_id: FromPath[uuid.UUID], db_session: DbSession, clock: ClockDep, actor: ActorDep
    ) -> ShareOut:
        """Your share of the opening key, sealed to your custody key; handed out exactly once."""
        return await publication.hand_out_share(db_session, clock, actor, tender_id)


class BidController(Controller):
    path = "/api/v1/tenders/{tender_id:uuid}/bids"
    tags = ("bids",)

    @post("/", guards=[requires(Role.bidder)], request_max_body_size=UPLOAD_CEILING_BYTES, status_code=201)
    async def submit(
        self,
        request: Request[Any, Any, Any],
        tender_id: FromPath[uuid.UUID],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
        blobs: BlobsDep,
        receipt_key: ReceiptKeyDep,
        credit_gate: CreditGateDep,
        after_bid: AfterBidDep,
        consortium: FromQuery[list[str] | None] = None,
    ) -> BidOut:
        """Submit a sealed file (from `ggzy seal`) as the raw body; the answer carries the signed
        receipt. A consortium bid names its other members' USCCs (`?consortium=…`, repeated): the
        bidder and each member are checked against the credit lists first: a finding never
        refuses the bid (实施条例 art. 36); it comes back with the receipt as a warning and the
        committee decides at evaluation."""
        bid, credit = await submission.submit(
            db_session,
            clock,
            actor,
            tender_id,
            blobs,
            request.stream(),
            settings.max_bid_bytes,
            receipt_key,
            consortium or [],
            credit_gate,
        )
        try:  # the bid has its receipt: what follows never undoes it
            await after_bid(db_session, clock, tender_id, bid.bidder_uscc)
        except Exception:
            logger.exception("the check after bid %s failed; the bid stands", bid.id)
            await db_session.rollback()
        return BidOut.of(bid, credit)

    @post("/withdraw", guards=[requires(Role.bidder)], status_code=200)
    async def withdraw(
        self, tender_id: FromPath[uuid.UUID], db_session: DbSession, clock: ClockDep, actor: ActorDep
    ) -> BidOut:
        """Withdraw your current bid before the deadline."""
        return BidOut.of(await submission.withdraw(db_session, clock, actor, tender_id))

    @get("/", guards=[requires(Role.bidder, Role.supervisor, Role.admin)])
    async def list_visible(
        self, tender_id: FromPath[uuid.UUID], db_session: DbSession, clock: ClockDep, actor: ActorDep
    ) -> list[BidOut]:
        """Your organization's bids (every version); supervisors see every bid's metadata, admins from
        the deadline; never content."""
        return [BidOut.of(bid) for bid in await submission.bids_visible(db_session, clock, actor, tender_id)]


@get("/api/v1/platform/receipt-key", opt={"public": True}, tags=["bids"])
async def receipt_key_text(receipt_key: ReceiptKeyDep) -> dict[str, str]:
    """The platform's public key: check any receipt with `ggzy receipt verify`."""
    public = receipt_key.public_key()
    return {"public_key": platform_public_text(public), "fingerprint": fingerprint(public.public_bytes_raw())}
