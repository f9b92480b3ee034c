"""API contract of the kernel (msgspec Structs), separate from the ORM tables."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec

from app.core.actor import Actor
from app.core.audit import SEALED_ACTOR, leaf_hash_of, shows_actor
from app.core.models import AuditEvent


class AuditEventOut(msgspec.Struct):
    seq: int
    occurred_at: datetime
    actor: str
    actor_id: uuid.UUID | None
    org_uscc: str | None
    client_ip: str | None
    action: str
    object_type: str
    object_id: str
    payload_sha256: str
    prev_hash: str | None  # the hash chain, for events written before the transparency log
    hash: str | None
    leaf_hash: str  # the event's leaf in the transparency log (RFC 9162)

    @classmethod
    def of(cls, event: AuditEvent, reader: Actor) -> AuditEventOut:
        """The event as `reader` may read it: a committee member's name, id, organization and
        address only for supervisors (the digests stay, so the leaf still verifies)."""
        shown = shows_actor(event, reader)
        return cls(
            event.seq,
            event.occurred_at,
            event.actor if shown else SEALED_ACTOR,
            event.actor_id if shown else None,
            event.org_uscc if shown else None,
            event.client_ip if shown else None,
            event.action,
            event.object_type,
            event.object_id,
            event.payload_sha256,
            event.prev_hash,
            event.hash,
            leaf_hash_of(event),
        )
