"""The kernel's HTTP handlers: the audit trail of an object, and the caller's notifications."""

from __future__ import annotations

from litestar import Controller, get
from litestar.params import FromQuery

from app.core import audit
from app.core.actor import Role
from app.core.deps import ActorDep, DbSession, Limit, Offset
from app.core.guards import requires, signed_in
from app.core.notifications import NotificationOut, for_actor
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
        object_type: FromQuery[str],
        object_id: FromQuery[str],
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> list[AuditEventOut]:
        """The audit events of one object (e.g. object_type=org, object_id=<USCC>), oldest first."""
        events = await audit.events_of(db_session, object_type, object_id, limit=limit, offset=offset)
        return [AuditEventOut.of(event) for event in events]
