"""API contract of the kernel (msgspec Structs), separate from the ORM tables."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec

from app.core.audit import leaf_hash_of
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
    def of(cls, event: AuditEvent) -> AuditEventOut:
        return cls(
            event.seq,
            event.occurred_at,
            event.actor,
            event.actor_id,
            event.org_uscc,
            event.client_ip,
            event.action,
            event.object_type,
            event.object_id,
            event.payload_sha256,
            event.prev_hash,
            event.hash,
            leaf_hash_of(event),
        )
