"""Tables of the kernel: the audit trail, notifications and the official calendar years.

Timestamps are set from the injected clock by the services, never by column defaults, so a
test that moves the clock sees it everywhere.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from advanced_alchemy.types import GUID, DateTimeUTC
from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base


class CalendarYear(Base):
    """An official holiday schedule loaded by an admin for a year (法定节假日 and 调休上班)."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    holidays: Mapped[list[str]] = mapped_column(JSON)  # ISO dates
    workdays: Mapped[list[str]] = mapped_column(JSON)  # ISO dates of adjusted working days
    loaded_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    loaded_by: Mapped[str] = mapped_column(String(64))


class Notification(Base):
    """A message for a role's desk (and optionally one user), e.g. a filing gone overdue.
    `dedupe_key` makes recording the same notification twice impossible."""

    __tablename__ = "notifications"

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), index=True)
    audience_role: Mapped[str] = mapped_column(String(32))
    recipient_id: Mapped[uuid.UUID | None] = mapped_column(GUID)
    kind: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(String(1000))
    dedupe_key: Mapped[str] = mapped_column(String(128), unique=True)


class AuditEvent(Base):
    """One event of the audit trail, inserted in the transaction of the change it describes.
    Rows are only ever inserted (a trigger enforces it on PostgreSQL). The sequencer makes each a
    leaf of the transparency log (`TlogLeaf`); events written before the log also carry the hash
    chain (`prev_hash`, `hash`) they were written with."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_object", "object_type", "object_id"),
        Index("ix_audit_events_commit_order", "txid", "seq"),
    )

    # From a sequence: unique, ordered by insertion, with gaps where a transaction rolled back.
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    # The inserting transaction's id on PostgreSQL (pg_current_xact_id), 0 on SQLite and for the
    # history before the log: the sequencer integrates events of finished transactions only.
    txid: Mapped[int] = mapped_column(BigInteger, default=0)
    occurred_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(GUID)
    actor: Mapped[str] = mapped_column(String(64))
    org_uscc: Mapped[str | None] = mapped_column(String(18))
    client_ip: Mapped[str | None] = mapped_column(String(45))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64))
    payload_sha256: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str | None] = mapped_column(String(64))  # the chain, before the log
    hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The actor is an evaluation expert: its name is secret (Tendering Law art. 44), so the readable
    # trail hides who acted from everyone but supervisors. Not a leaf field: the log keeps digests.
    actor_sealed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    def chain_fields(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "occurred_at": self.occurred_at,
            "actor_id": self.actor_id,
            "actor": self.actor,
            "org_uscc": self.org_uscc,
            "client_ip": self.client_ip,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "payload_sha256": self.payload_sha256,
            "prev_hash": self.prev_hash,
        }


class TlogLeaf(Base):
    """An audit event integrated into the transparency log at `leaf_index`, with its leaf hash."""

    __tablename__ = "tlog_leaves"

    leaf_index: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    seq: Mapped[int] = mapped_column(ForeignKey("audit_events.seq"), unique=True)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class TlogNode(Base):
    """The hash of a complete subtree of ≥ 2 leaves: leaves [index·2^level, (index+1)·2^level)."""

    __tablename__ = "tlog_nodes"

    level: Mapped[int] = mapped_column(Integer, primary_key=True)
    index: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class TlogState(Base):
    """The sequencer's progress: the tree's size and the last event integrated (commit order)."""

    __tablename__ = "tlog_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    last_txid: Mapped[int] = mapped_column(BigInteger)
    last_seq: Mapped[int] = mapped_column(BigInteger)


class TreeHead(Base):
    """A signed tree head: the tree's size and root at a time, signed as a C2SP checkpoint."""

    __tablename__ = "tlog_heads"

    tree_size: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    root_hash: Mapped[str] = mapped_column(String(64))
    timestamp: Mapped[int] = mapped_column(BigInteger)  # milliseconds since the epoch
    key_id: Mapped[str] = mapped_column(String(8))
    signature: Mapped[str] = mapped_column(Text)  # base64 Ed25519 over the checkpoint
    checkpoint: Mapped[str] = mapped_column(Text)  # the signed note
