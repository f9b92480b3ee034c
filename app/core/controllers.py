"""The kernel's HTTP handlers: the audit trail of an object, the caller's notifications, and the
transparency log's heads and proofs."""

from __future__ import annotations

from typing import Annotated, Any

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from litestar import Controller, Response, get, post
from litestar.params import FromPath, FromQuery, QueryParameter

from app.core import audit, transparency
from app.core.actor import Role
from app.core.deps import ActorDep, ClockDep, DbSession, Limit, Offset, ReceiptKeyDep, SettingsDep
from app.core.guards import requires, signed_in
from app.core.notifications import NotificationOut, for_actor
from app.core.problems import NotFound
from app.core.schemas import AuditEventOut


class NotificationController(Controller):
    path = "/api/v1/notifications"
    tags = ("notifications",)

    @get("/", guards=[signed_in])
    async def mine(
        self, db_session: DbSession, actor: ActorDep, limit: Limit = 50, offset: Offset = 0
    ) -> list[NotificationOut]:
        """Notifications for the caller's roles or addressed to the caller, newest first."""
        return [NotificationOut.of(n) for n in await for_actor(db_session, actor, limit=limit, offset=offset)]


class AuditController(Controller):
    path = "/api/v1/audit-events"
    tags = ("audit",)

    @get("/", guards=[requires(Role.supervisor, Role.admin)])
    async def of_object(
        self,
        db_session: DbSession,
        actor: ActorDep,
        object_type: FromQuery[str],
        object_id: FromQuery[str],
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> list[AuditEventOut]:
        """The audit events of one object (e.g. object_type=org, object_id=<USCC>), oldest first;
        a committee member's name only to supervisors."""
        events = await audit.events_of(db_session, object_type, object_id, limit=limit, offset=offset)
        return [AuditEventOut.of(event, actor) for event in events]


MAX_INDEX = 2**53  # leaf indexes, sizes and seqs: far beyond any log, within every integer type on the way


class TransparencyController(Controller):
    """The audit log as a transparency log (docs/transparency.md): signed tree heads and RFC 9162
    proofs, public so that anyone can hold the platform to what it has written."""

    path = "/api/v1/transparency"
    tags = ("transparency",)

    @get("/heads/latest", opt={"public": True})
    async def latest(self, db_session: DbSession) -> dict[str, Any]:
        head = await transparency.latest_head(db_session)
        if head is None:
            raise NotFound("no tree head has been signed yet")
        return transparency.head_view(head)

    @get("/heads/{size:int}", opt={"public": True})
    async def of_size(self, db_session: DbSession, size: FromPath[int]) -> dict[str, Any]:
        return transparency.head_view(await transparency.head_of_size(db_session, size))

    @post("/heads", guards=[requires(Role.supervisor, Role.admin)], status_code=200)
    async def sign_now(
        self, db_session: DbSession, clock: ClockDep, settings: SettingsDep, receipt_key: ReceiptKeyDep
    ) -> dict[str, Any]:
        """Integrate what is pending and sign a head now (on demand); the latest head."""
        while await transparency.integrate(db_session) == transparency.BATCH:
            pass
        await transparency.sign_head(db_session, clock, receipt_key, settings.log_origin)
        head = await transparency.latest_head(db_session)
        if head is None:
            raise NotFound("the log is empty")
        return transparency.head_view(head)

    @get("/proofs/inclusion", opt={"public": True})
    async def inclusion(
        self,
        db_session: DbSession,
        size: Annotated[int, QueryParameter(ge=1, le=MAX_INDEX, description="the tree size of a signed head")],
        leaf: Annotated[int | None, QueryParameter(ge=0, le=MAX_INDEX, description="a leaf index")] = None,
        event: Annotated[int | None, QueryParameter(ge=1, le=MAX_INDEX, description="or an audit event's seq")] = None,
    ) -> dict[str, Any]:
        return await transparency.inclusion(db_session, leaf=leaf, event=event, size=size)

    @get("/proofs/consistency", opt={"public": True})
    async def consistency(
        self,
        db_session: DbSession,
        first: Annotated[int, QueryParameter(name="from", ge=0, le=MAX_INDEX)],
        second: Annotated[int, QueryParameter(name="to", ge=0, le=MAX_INDEX)],
    ) -> dict[str, Any]:
        return await transparency.consistency(db_session, first, second)

    @get("/key", opt={"public": True}, media_type="application/x-pem-file")
    async def key(self, receipt_key: ReceiptKeyDep, settings: SettingsDep) -> Response[str]:
        """The platform's Ed25519 public key (PEM) that signs the heads; its note key name is the origin."""
        pem = receipt_key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()
        return Response(pem, media_type="application/x-pem-file", headers={"X-Log-Origin": settings.log_origin})
