"""HTTP handler of notifications: the caller's desk and personal messages."""

from __future__ import annotations

from litestar import Controller, get

from app.deps import ActorDep, DbSession, Limit, Offset
from app.notifications import NotificationOut, for_actor
from app.security import signed_in


class NotificationController(Controller):
    path = "/api/v1/notifications"
    tags = ("notifications",)

    @get("/", guards=[signed_in])
    async def mine(
        self, db_session: DbSession, actor: ActorDep, limit: Limit = 50, offset: Offset = 0
    ) -> list[NotificationOut]:
        """Notifications for the caller's roles or addressed to the caller, newest first."""
        return [NotificationOut.of(n) for n in await for_actor(db_session, actor, limit=limit, offset=offset)]
