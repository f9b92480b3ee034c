"""A bond's lifecycle; `move` is the only writer of its status.

awaiting --cash received in its sub-account / a guarantee verified--> held
awaiting --the bond fell due with nothing posted--> closed
held --the refund instructed to the bank (cash)--> refunding --the bank paid it--> refunded
refunding --the bank rejected it for the last time--> refunding (officers see the failed instruction)
held --a guarantee released at the refund moment--> released
held --the tenderee's recorded decision (实施条例 arts. 35 ¶2, 74)--> forfeited
A refund instruction is pending, paid or rejected; a rejected one is retried under a new key.
"""

from __future__ import annotations

import enum

from app.core.lifecycle import HasStatus, Lifecycle


class BondStatus(enum.StrEnum):
    awaiting = "awaiting"  # nothing received or verified yet
    held = "held"  # cash received (flags say what is wrong with it) or a guarantee verified
    refunding = "refunding"  # the refund instruction is with the bank
    refunded = "refunded"
    released = "released"  # a guarantee released (退保)
    forfeited = "forfeited"
    closed = "closed"  # fell due with nothing posted


B = BondStatus
TRANSITIONS: dict[BondStatus, frozenset[BondStatus]] = {
    B.awaiting: frozenset({B.held, B.closed}),
    B.held: frozenset({B.refunding, B.released, B.forfeited}),
    B.refunding: frozenset({B.refunded}),
    B.refunded: frozenset(),
    B.released: frozenset(),
    B.forfeited: frozenset(),
    B.closed: frozenset(),
}
LIFECYCLE = Lifecycle("bond", BondStatus, TRANSITIONS)

# A bond whose refund has not yet gone out: what the refund job looks at.
OUTSTANDING = frozenset({B.awaiting, B.held})


class InstructionStatus(enum.StrEnum):
    pending = "pending"
    paid = "paid"
    rejected = "rejected"


INSTRUCTION_TRANSITIONS: dict[InstructionStatus, frozenset[InstructionStatus]] = {
    InstructionStatus.pending: frozenset({InstructionStatus.paid, InstructionStatus.rejected}),
    InstructionStatus.paid: frozenset(),
    InstructionStatus.rejected: frozenset(),
}
INSTRUCTION_LIFECYCLE = Lifecycle("refund_instruction", InstructionStatus, INSTRUCTION_TRANSITIONS)

# A refund the bank rejects is sent again this many times in all, then left to the officers.
MAX_ATTEMPTS = 3


def move(bond: HasStatus, target: BondStatus) -> None:
    LIFECYCLE.move(bond, target)


def move_instruction(instruction: HasStatus, target: InstructionStatus) -> None:
    INSTRUCTION_LIFECYCLE.move(instruction, target)


class GuaranteeStatus(enum.StrEnum):
    """An electronic guarantee: in force until withdrawn by its guarantor (before the deadline
    only), released when the bond falls due, or claimed on the tenderee's decision."""

    in_force = "in_force"
    cancelled = "cancelled"
    released = "released"
    claimed = "claimed"


GUARANTEE_LIFECYCLE = Lifecycle(
    "guarantee",
    GuaranteeStatus,
    {
        GuaranteeStatus.in_force: frozenset(
            {GuaranteeStatus.cancelled, GuaranteeStatus.released, GuaranteeStatus.claimed}
        ),
        GuaranteeStatus.cancelled: frozenset(),
        GuaranteeStatus.released: frozenset(),
        GuaranteeStatus.claimed: frozenset(),
    },
)


class DeliveryStatus(enum.StrEnum):
    """A message to a guarantor: pending until it answers, failed after the last attempt."""

    pending = "pending"
    delivered = "delivered"
    failed = "failed"


DELIVERY_LIFECYCLE = Lifecycle(
    "guarantor_message",
    DeliveryStatus,
    {
        DeliveryStatus.pending: frozenset({DeliveryStatus.delivered, DeliveryStatus.failed}),
        DeliveryStatus.delivered: frozenset(),
        DeliveryStatus.failed: frozenset(),
    },
)


def move_guarantee(guarantee: HasStatus, target: GuaranteeStatus) -> None:
    GUARANTEE_LIFECYCLE.move(guarantee, target)


def move_delivery(message: HasStatus, target: DeliveryStatus) -> None:
    DELIVERY_LIFECYCLE.move(message, target)
