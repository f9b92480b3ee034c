"""The bidder's offline tools (投标文件制作工具): `ggzy keygen` makes a signing key pair and
`ggzy seal` seals a bid for a tender. They need no server and no database: only the tender's
opening public key, the bidder's signing key, the declaration and the documents. They import
nothing of the server, so they start small and run in bounded memory whatever the bid's size.
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import BinaryIO

import click

from bidding.envelope import Declaration, EnvelopeError
from bidding.envelope import seal as seal_envelope
from bidding.keys import (
    CustodyPublicKey,
    KeyFormatError,
    OpeningPublicKey,
    bidder_key_pem,
    bidder_public_key,
    custody_key_pem,
    generate_bidder_key,
    generate_custody_key,
    load_bidder_key_pem,
)


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
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="the tender's opening public key file",
)
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
    tender_key: str,
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
        opening_key = OpeningPublicKey.parse(Path(tender_key).read_text())
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
                documents=[(Path(p).name, lambda p=p: opener(p)) for p in documents],
                created=datetime.now(UTC),
            )
            handle.flush()
            os.fsync(handle.fileno())
        partial.replace(target)  # a sealed file is never seen half-written
    except (EnvelopeError, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise click.ClickException(str(exc)) from exc
    digest = hashlib.sha256()
    with target.open("rb") as handle:
        while block := handle.read(1024 * 1024):
            digest.update(block)
    click.echo(f"sealed {len(documents)} document(s) for tender {tender} into {target}")
    click.echo(f"sha256 {digest.hexdigest()}  ({target.stat().st_size} bytes): compare it with your receipt")
