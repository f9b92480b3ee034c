"""The stored index of OCDS releases (`bidding.ocds.service.sync_index` keeps it): each release as
derived once its event has happened, so a page of the public feed is one indexed read whatever
the number of tenders. A release is a snapshot as of its date and never rewritten by a later
event; a tender's releases are derived again whenever the tender has a new event in the audit
log, so the index always agrees with the tables."""

from __future__ import annotations

import uuid
from datetime import datetime

from advanced_alchemy.types import GUID, DateTimeUTC
from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base


class OcdsRelease(Base):
    __tablename__ = "ocds_releases"
    __table_args__ = (Index("ix_ocds_releases_feed", "date", "release_id"),)

    release_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    tender_id: Mapped[uuid.UUID] = mapped_column(GUID, index=True)
    date: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    body: Mapped[str] = mapped_column(Text)  # the release as JSON, amounts exact


class OcdsIndexState(Base):
    """How far the index has read the transparency log (leaves in commit order): one row."""

    __tablename__ = "ocds_index_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    leaves_read: Mapped[int] = mapped_column(BigInteger, default=0)
