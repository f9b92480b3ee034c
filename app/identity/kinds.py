"""Which roles the users of each kind of organization may hold: the platform's table of
conflicts of role. An agency (招标代理) or a tenderee (招标人) runs tenders and so never bids;
a bidder (投标人) or an intermediary (中介机构) never runs a tender or watches over one; the
trading centre and the supervision authority (监督) neither bid nor file. Experts sit as
individuals, whatever their employer's kind; admins and supervisors need no organization.

Tendering Law art. 50 and Regulations art. 34 bar an agency from bidding in, or advising bidders
on, a tender it runs; the per-tender bar (the tenderee and its agency may not bid on their own
tender, nor register for their own service request) is checked where bids and registrations are
taken. Pure: no web, no database.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.core.actor import Role

ROLES_BY_KIND: dict[str, frozenset[Role]] = {
    "trading_centre": frozenset({Role.admin, Role.supervisor, Role.expert}),
    "supervision": frozenset({Role.supervisor, Role.admin, Role.expert}),
    "agency": frozenset({Role.agency, Role.intermediary, Role.expert}),  # many agencies also consult
    "tenderee": frozenset({Role.agency, Role.expert}),  # a tenderee files for itself as an agency
    "bidder": frozenset({Role.bidder, Role.intermediary, Role.expert}),
    "intermediary": frozenset({Role.intermediary, Role.bidder, Role.expert}),
    "other": frozenset({Role.bidder, Role.intermediary, Role.expert}),
}


def roles_refused(kind: str, roles: Iterable[str]) -> list[str]:
    """The roles a user of an organization of this kind may not hold, sorted (empty: all allowed)."""
    allowed = ROLES_BY_KIND.get(kind, frozenset())
    return sorted({str(role) for role in roles} - {str(role) for role in allowed})
