"""The bidder's offline tools (投标文件制作工具): `ggzy keygen` makes a signing key pair and
`ggzy seal` seals a bid for a tender. They need no server and no database: only the tender's
opening public key, the bidder's signing key, the declaration and the documents. They import
nothing of the server, so they start small and run in bounded memory whatever the bid's size.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import urllib.error
import urllib.request
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, BinaryIO

import click
from cryptography.hazmat.primitives.asymmetric import ed25519

from app.core import checkpoint, merkle
from app.core.remote import SERVER, USERNAME, sign_in
from bidding.opening.watch import watch as opening_watch
from bidding.sealing.envelope import Declaration, EnvelopeError
from bidding.sealing.envelope import seal as seal_envelope
from bidding.sealing.keys import (
    CustodyPublicKey,
    KeyFormatError,
    OpeningPublicKey,
    bidder_key_pem,
    bidder_public_key,
    custody_key_pem,
    decrypt_share,
    generate_bidder_key,
    generate_custody_key,
    load_bidder_key_pem,
    load_custody_key_pem,
)
from bidding.sealing.receipts import ReceiptError, parse_platform_public, verify_receipt


def _passphrase(path: str | None) -> bytes | None:
    return Path(path).read_bytes().strip() if path else None


@click.command()
@click.option("--out", "stem", required=True, type=click.Path(dir_okay=False), help="writes STEM.key and STEM.pub")
@click.option("--passphrase-file", type=click.Path(exists=True, dir_okay=False), help="encrypt the private key")
@click.option("--custody", is_flag=True, help="a custodian's key (X25519) instead of a bidder's signing key")
def keygen(stem: str, passphrase_file: str | None, custody: bool) -> None:
    """Make a key pair: register STEM.pub with the platform, keep STEM.key. A bidder's signing key
    (Ed25519) by default; with --custody, the key a custodian's share of an opening key is sealed to."""
    private_path, public_path = Path(f"{stem}.key"), Path(f"{stem}.pub")
    for path in (private_path, public_path):
        if path.exists():
            raise click.ClickException(f"{path} exists: keys are never overwritten")
    passphrase = _passphrase(passphrase_file)
    if custody:
        custody_key = generate_custody_key()
        pem, public_text = (
            custody_key_pem(custody_key, passphrase),
            CustodyPublicKey(custody_key.public_key().public_bytes_raw()),
        )
    else:
        signing_key = generate_bidder_key()
        pem, public_text = bidder_key_pem(signing_key, passphrase), bidder_public_key(signing_key)  # type: ignore[assignment]
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    public_path.write_text(public_text.text() + "\n")
    click.echo(f"wrote {private_path} (keep it secret) and {public_path}")
    click.echo(f"fingerprint {public_text.fingerprint}")


def _price(_ctx: click.Context, _param: click.Parameter, value: str) -> Decimal:
    try:
        price = Decimal(value)
    except InvalidOperation as exc:
        raise click.BadParameter(f"{value!r} is not a decimal amount") from exc
    if not price.is_finite() or price <= 0 or price != price.quantize(Decimal("0.01")):
        raise click.BadParameter("the price is a positive amount in yuan with at most 2 decimal places")
    return price


def _fields(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    fields = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{item!r}: write NAME=VALUE")
        fields[name] = value
    return fields


@click.command()
@click.option("--tender", required=True, help="the tender's id")
@click.option("--bidder", required=True, help="your organization's USCC")
@click.option(
    "--tender-key",
    type=click.Path(exists=True, dir_okay=False),
    help="the tender's opening public key file (or give --server and --username to fetch it)",
)
@SERVER
@USERNAME
@click.option(
    "--signing-key",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="your .key file from `ggzy keygen`",
)
@click.option("--passphrase-file", type=click.Path(exists=True, dir_okay=False))
@click.option("--price", required=True, callback=_price, help="the bid price in yuan, e.g. 8236500.00")
@click.option("--currency", default="CNY", show_default=True)
@click.option("--duration-days", type=click.IntRange(min=1), help="the proposed duration (工期/服务期), in days")
@click.option(
    "--field", "fields", multiple=True, callback=_fields, help="another declared item, NAME=VALUE (repeatable)"
)
@click.option(
    "--commitment-file", type=click.Path(exists=True, dir_okay=False), help="the credit commitment (信用承诺) text"
)
@click.option("--document", "documents", multiple=True, type=click.Path(exists=True, dir_okay=False), help="repeatable")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="the sealed file to write")
def seal(
    tender: str,
    bidder: str,
    tender_key: str | None,
    server: str | None,
    username: str | None,
    signing_key: str,
    passphrase_file: str | None,
    price: Decimal,
    currency: str,
    duration_days: int | None,
    fields: dict[str, str],
    commitment_file: str | None,
    documents: tuple[str, ...],
    out: str,
) -> None:
    """Seal a bid on this machine: only the tender's opening, with its custodians, can open it."""
    try:
        if tender_key:
            key_text = Path(tender_key).read_text()
        elif server and username:
            key_text = sign_in(server, username).get(f"/api/v1/tenders/{tender}/opening-key")["public_key"]
        else:
            raise click.UsageError("give --tender-key, or --server and --username to fetch the tender's key")
        opening_key = OpeningPublicKey.parse(key_text)
        signer = load_bidder_key_pem(Path(signing_key).read_bytes(), _passphrase(passphrase_file))
    except KeyFormatError as exc:
        raise click.ClickException(str(exc)) from exc
    declaration = Declaration(
        price=price,
        currency=currency,
        duration_days=duration_days,
        fields=fields,
        credit_commitment=Path(commitment_file).read_text().strip() if commitment_file else "",
    )
    target = Path(out)
    partial = target.with_name(target.name + ".partial")

    def opener(path: str) -> BinaryIO:
        return Path(path).open("rb")

    try:
        with partial.open("wb") as handle:
            seal_envelope(
                handle,
                tender=tender,
                bidder=bidder,
                opening_key=opening_key,
                signing_key=signer,
                declaration=declaration,
                documents=[(Path(p).name, functools.partial(opener, p)) for p in documents],
                created=datetime.now(UTC),
            )
            handle.flush()
            os.fsync(handle.fileno())
        partial.replace(target)  # a sealed file is never seen half-written
    except EnvelopeError as exc:
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"{exc.code}: {exc}") from exc
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise click.ClickException(str(exc)) from exc
    click.echo(f"sealed {len(documents)} document(s) for tender {tender} into {target}")
    click.echo(f"sha256 {_sha256_file(target)}  ({target.stat().st_size} bytes): compare it with your receipt")


@click.command()
@SERVER
@USERNAME
@click.option("--tender", required=True)
@click.option("--file", "sealed", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--receipt-out", required=True, type=click.Path(dir_okay=False), help="where to keep the receipt")
def submit(server: str | None, username: str | None, tender: str, sealed: str, receipt_out: str) -> None:
    """Upload a sealed bid and keep the platform's signed receipt. Submitting again replaces the bid."""
    if not server or not username:
        raise click.UsageError("give --server and --username")
    bid = sign_in(server, username).upload(f"/api/v1/tenders/{tender}/bids", Path(sealed))
    Path(receipt_out).write_text(json.dumps(bid["receipt"], ensure_ascii=False, indent=2) + "\n")
    click.echo(f"received at {bid['receipt']['received_at']}, sha256 {bid['sha256']}; receipt in {receipt_out}")


@click.group()
def receipt() -> None:
    """Submission receipts."""


@receipt.command("verify")
@click.argument("receipt_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--platform-key", type=click.Path(exists=True, dir_okay=False), help="the platform's public key file")
@click.option("--server", help="or fetch the platform's public key from here")
@click.option("--file", "sealed", type=click.Path(exists=True, dir_okay=False), help="also check this sealed file")
def receipt_verify(receipt_file: str, platform_key: str | None, server: str | None, sealed: str | None) -> None:
    """Check a receipt's signature (and that it is for this sealed file); exit 1 if it fails."""
    if platform_key:
        public_text = Path(platform_key).read_text()
    elif server:
        with urllib.request.urlopen(server.rstrip("/") + "/api/v1/platform/receipt-key", timeout=60) as response:  # noqa: S310
            public_text = json.loads(response.read())["public_key"]
    else:
        raise click.UsageError("give --platform-key or --server")
    body = json.loads(Path(receipt_file).read_text())
    try:
        verify_receipt(body, parse_platform_public(public_text))
    except (ReceiptError, KeyFormatError) as exc:
        click.secho(f"receipt INVALID: {exc}", fg="red", err=True)
        sys.exit(1)
    if sealed:
        digest = _sha256_file(Path(sealed))
        if digest != body["sha256"]:
            click.secho(f"receipt valid, but for another file: {sealed} has sha256 {digest}", fg="red", err=True)
            sys.exit(1)
    click.echo(f"receipt valid: tender {body['tender']}, bidder {body['bidder']}, received {body['received_at']}")
    if server and "audit_event" in body:
        _check_in_log(server.rstrip("/"), body, parse_platform_public(public_text))


def _get_json(url: str, not_yet: tuple[int, ...] = ()) -> Any:
    """The answer's JSON; None for a status in `not_yet`; any other error ends the command."""
    try:
        with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - the platform's address, given by the user
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        if exc.code in not_yet:
            return None
        detail = json.loads(exc.read() or b"{}").get("detail", exc.reason)
        click.secho(f"the platform answered {exc.code}: {detail}", fg="red", err=True)
        sys.exit(1)


NOT_YET = "its audit event is not yet under a signed tree head: check again after the next one"


def _check_in_log(server: str, body: dict[str, Any], public: ed25519.Ed25519PublicKey) -> None:
    """The receipt's audit event is a leaf of the platform's log: an inclusion proof against the
    latest signed head, both checked here, offline (RFC 9162; the head's signature as a C2SP note)."""
    head = _get_json(f"{server}/api/v1/transparency/heads/latest", not_yet=(404,))
    if head is None:
        click.echo(NOT_YET)
        return
    origin = head["checkpoint"].split("\n", 1)[0]
    try:
        signed = checkpoint.verify(head["checkpoint"], origin, public)
    except checkpoint.CheckpointError as exc:
        click.secho(f"the platform's tree head is INVALID: {exc}", fg="red", err=True)
        sys.exit(1)
    query = f"event={body['audit_event']}&size={signed.size}"
    proof = _get_json(f"{server}/api/v1/transparency/proofs/inclusion?{query}", not_yet=(404, 422))
    if proof is None:  # not integrated yet, or after the latest head
        click.echo(NOT_YET)
        return
    included = proof["leaf_hash"] == body["audit_leaf_hash"] and merkle.verify_inclusion(
        proof["leaf_index"],
        signed.size,
        bytes.fromhex(body["audit_leaf_hash"]),
        [bytes.fromhex(h) for h in proof["audit_path"]],
        signed.root,
    )
    if not included:
        click.secho("the receipt's audit event is NOT in the platform's signed log", fg="red", err=True)
        sys.exit(1)
    click.echo(f"in the audit log: leaf {proof['leaf_index']} of the signed head of size {signed.size}")


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


@click.group()
def custody() -> None:
    """A custodian's share of a tender's opening key (开标密钥)."""


@custody.command("fetch")
@SERVER
@USERNAME
@click.option("--tender", required=True)
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="where to keep the sealed share")
def custody_fetch(server: str | None, username: str | None, tender: str, out: str) -> None:
    """Fetch your share once, still sealed to your custody key, to keep until the opening."""
    if not server or not username:
        raise click.UsageError("give --server and --username")
    share = sign_in(server, username).get(f"/api/v1/tenders/{tender}/custody/share")
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(share, handle)
    click.echo(f"kept share {share['share_index'] + 1} ({share['custodian_role']}) of tender {tender} in {out}")


@click.group()
def opening() -> None:
    """The bid opening (开标)."""


@opening.command("share")
@SERVER
@USERNAME
@click.option("--tender", required=True)
@click.option("--custody-key", required=True, type=click.Path(exists=True, dir_okay=False), help="your .key file")
@click.option("--passphrase-file", type=click.Path(exists=True, dir_okay=False))
@click.option("--share-file", type=click.Path(exists=True, dir_okay=False), help="from `ggzy custody fetch`")
def opening_share(
    server: str | None,
    username: str | None,
    tender: str,
    custody_key: str,
    passphrase_file: str | None,
    share_file: str | None,
) -> None:
    """Unseal your share on this machine and hand it in to the opening (from the opening time)."""
    if not server or not username:
        raise click.UsageError("give --server and --username")
    platform = sign_in(server, username)
    share = (
        json.loads(Path(share_file).read_text())
        if share_file
        else platform.get(f"/api/v1/tenders/{tender}/custody/share")
    )
    try:
        private = load_custody_key_pem(Path(custody_key).read_bytes(), _passphrase(passphrase_file))
        words = decrypt_share(share["encrypted_share"], private, tender, int(share["share_index"]))
    except KeyFormatError as exc:
        raise click.ClickException(str(exc)) from exc
    state = platform.post(f"/api/v1/tenders/{tender}/opening/shares", {"share": words})
    handed = f"{len(state['shares_from'])} of {state['threshold']} shares"
    click.echo(f"share handed in: the opening is {state['status']} ({handed})")


opening.add_command(opening_watch)
