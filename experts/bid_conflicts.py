"""Conflicts between bids of one tender that the law makes invalid, flagged to the committee with
their evidence (the committee decides; the platform does not reject a bid on its own):

- the same person heads two bidders (单位负责人为同一人, Regulations art. 34 ¶2): two bids whose
  organizations, consortium members included, share a legal representative — matched by the keyed
  hash of the resident ID on file, never by name;
- an organization in two bids (Regulations art. 37 ¶3): a consortium member that also bids alone or
  in another consortium.

Pure: no web, no database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations


@dataclass(frozen=True)
class BidParties:
    bid: str
    organizations: tuple[str, ...]  # the bidder first, then the consortium's other members


def conflicts(bids: Sequence[BidParties], representative: Mapping[str, str | None]) -> list[dict[str, object]]:
    """Every pair of bids in conflict, with the rule and the evidence (USCCs; a representative is
    named by the organizations that share them, never by the ID), in a stable order."""
    found: list[dict[str, object]] = []
    for first, second in combinations(bids, 2):
        shared = sorted(set(first.organizations) & set(second.organizations))
        if shared:
            found.append(
                {
                    "kind": "organization_in_two_bids",
                    "bids": [first.bid, second.bid],
                    "organizations": shared,
                    "basis": "招标投标法实施条例第三十七条第三款",
                }
            )
        heads = {
            (a, b)
            for a in first.organizations
            for b in second.organizations
            if a != b and representative.get(a) and representative.get(a) == representative.get(b)
        }
        if heads:
            found.append(
                {
                    "kind": "same_legal_representative",
                    "bids": [first.bid, second.bid],
                    "organizations": sorted({org for pair in heads for org in pair}),
                    "basis": "招标投标法实施条例第三十四条第二款",
                }
            )
    return found
