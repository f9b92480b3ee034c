"""Electronic guarantees (电子保函) as pure functions: the signed messages exchanged with a
guarantor (a bank, an insurer, a guarantee company) and the checks a guarantee passes before it
stands for a bid bond. No I/O.

Every message is JSON: {"format": "ggzy-guarantor-message/1", "kind", "sender", "sent_at",
"body", "signature"}; the signature (Ed25519, base64) covers the canonical JSON of every other
field (sorted keys, no spaces, UTF-8), made with the sender's key: the guarantor's key the
platform registered, or the platform's receipt key (GET /api/v1/platform/receipt-key). The
kinds follow the guarantee platforms' exchanges (e.g. 合肥 DB3401/T 308—2023: 保函申请, 开立,
查验, 理赔, 退保/撤销):

- application (platform → guarantor): what the bidder asks to be guaranteed;
- guarantee (guarantor → platform): the guarantee issued (GUARANTEE_FIELDS);
- verification (platform → guarantor, and its answer): is guarantee `number` still in force?
- claim (platform → guarantor, 索赔): the tenderee's recorded decision, with its article;
- release (platform → guarantor, 退保): the bond is returned, the guarantee ends;
- cancel (guarantor → platform, 撤销): the guarantor withdrew a guarantee before it was relied on.
"""

from __future__ import annotations

import base64
import binascii
import enum
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

FORMAT = "ggzy-guarantor-message/1"
GUARANTEE_FIELDS = (
    "number",
    "form",
    "guarantor",
    "tender",
    "lot",
    "beneficiary",
    "applicant",
    "amount",
    "valid_from",
    "valid_until",
    "issued_at",
)


class MessageKind(enum.StrEnum):
    application = "application"
    guarantee = "guarantee"
    verification = "verification"
    claim = "claim"
    release = "release"
    cancel = "cancel"


class GuarantorKind(enum.StrEnum):
    """Who guarantees, and the bond form its guarantee is."""

    bank = "bank"  # 银行保函
    insurer = "insurer"  # 保证保险
    guarantee_company = "guarantee_company"  # 担保公司保函


FORM_OF = {
    GuarantorKind.bank: "bank_guarantee",
    GuarantorKind.insurer: "insurance_guarantee",
    GuarantorKind.guarantee_company: "guarantor_guarantee",
}


class MessageError(ValueError):
    pass


def canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(
    key: ed25519.Ed25519PrivateKey, kind: MessageKind, sender: str, sent_at: datetime, body: dict[str, Any]
) -> dict[str, Any]:
    message = {"format": FORMAT, "kind": str(kind), "sender": sender, "sent_at": sent_at.isoformat(), "body": body}
    return {**message, "signature": base64.b64encode(key.sign(canonical(message))).decode()}


def verify(message: Any, public: ed25519.Ed25519PublicKey) -> dict[str, Any]:
    """The message's body when `public` signed exactly this message; MessageError otherwise."""
    if not isinstance(message, dict) or message.get("format") != FORMAT:
        raise MessageError(f"not a {FORMAT} message")
    unsigned = {k: v for k, v in message.items() if k != "signature"}
    try:
        public.verify(base64.b64decode(str(message.get("signature", "")), validate=True), canonical(unsigned))
    except (InvalidSignature, binascii.Error, ValueError) as exc:
        raise MessageError("the signature does not verify: the message was altered or forged") from exc
    body = message.get("body")
    if not isinstance(body, dict):
        raise MessageError("the message has no body")
    return body


def public_key_text(public: ed25519.Ed25519PublicKey) -> str:
    return base64.b64encode(public.public_bytes_raw()).decode()


def parse_public_key(text: str) -> ed25519.Ed25519PublicKey:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
        return ed25519.Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError) as exc:
        raise MessageError("an Ed25519 public key is 32 bytes in base64") from exc


@dataclass(frozen=True, slots=True)
class Requirement:
    """What a guarantee must say to stand for this bidder's bond on this tender."""

    tender: str
    lot: str
    beneficiary: str  # the tenderee's USCC
    applicant: str  # the bidder's USCC
    amount: Decimal
    valid_until: date  # the bids' validity ends on this day (实施条例 art. 26 ¶1: as long as the bids)
    forms: frozenset[str]
    guarantor: str  # the registered guarantor's USCC that signed it
    today: date


@dataclass(frozen=True, slots=True)
class Guarantee:
    number: str
    form: str
    guarantor: str
    tender: str
    lot: str
    beneficiary: str
    applicant: str
    amount: Decimal
    valid_from: date
    valid_until: date


def parse_guarantee(body: dict[str, Any]) -> Guarantee:
    missing = [f for f in GUARANTEE_FIELDS if not isinstance(body.get(f), str) or not body[f].strip()]
    if missing:
        raise MessageError("the guarantee lacks " + ", ".join(missing))
    try:
        amount = Decimal(body["amount"])
        valid_from, valid_until = date.fromisoformat(body["valid_from"]), date.fromisoformat(body["valid_until"])
    except (InvalidOperation, ValueError) as exc:
        raise MessageError("amount is a decimal in yuan; valid_from and valid_until are dates") from exc
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")) or len(body["number"]) > 64:
        raise MessageError("amount has at most 2 places; number at most 64 characters")
    return Guarantee(
        body["number"].strip(),
        body["form"],
        body["guarantor"],
        body["tender"],
        body["lot"],
        body["beneficiary"],
        body["applicant"],
        amount,
        valid_from,
        valid_until,
    )


def problems(g: Guarantee, need: Requirement) -> list[str]:
    """Every reason the guarantee does not stand for the bond (empty: it stands), as codes the
    console words (app.console.i18n): wrong_guarantor, wrong_tender, wrong_lot, wrong_beneficiary,
    wrong_applicant, form_not_accepted, below_amount, validity_short, not_yet_valid, expired."""
    found = []
    if g.guarantor != need.guarantor:
        found.append("wrong_guarantor")
    if g.tender != need.tender:
        found.append("wrong_tender")
    if g.lot != need.lot:
        found.append("wrong_lot")
    if g.beneficiary != need.beneficiary:
        found.append("wrong_beneficiary")
    if g.applicant != need.applicant:
        found.append("wrong_applicant")
    if g.form not in need.forms:
        found.append("form_not_accepted")
    if g.amount < need.amount:
        found.append("below_amount")
    if g.valid_until < need.valid_until:
        found.append("validity_short")
    if g.valid_from > need.today:
        found.append("not_yet_valid")
    if g.valid_until < need.today:
        found.append("expired")
    return found
