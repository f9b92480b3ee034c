"""The tender lifecycle. A tender is born `published` when its filing is accepted; the bidding
and opening issues add the states that follow (bids closed, opening, evaluation, award, failed)
and the transitions between them, here, in one place."""

from __future__ import annotations

import enum


class TenderStatus(enum.StrEnum):
    published = "published"
