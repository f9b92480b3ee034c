"""The evaluation's offline tools, for anyone (no server, no database): `ggzy draw verify`
replays a revealed draw against its published commitment and its beacon, and `ggzy evaluation compute`
recomputes an evaluation from its scoring sheet with the same code the platform runs."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from experts import draw as draws
from experts import scoring


@click.group()
def draw() -> None:
    """The verifiable expert draw."""


@draw.command("verify")
@click.option(
    "--snapshot", "snapshot_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--seed", required=True, help="the revealed seed, hex")
@click.option("--commitment", required=True, help="the published commitment: SHA-256 of the seed, then of the snapshot")
@click.option("--entry", help="ggzy-draw/2: the supervisor's entry (the beacon)")
@click.option("--head-size", type=click.IntRange(min=0), default=0, help="ggzy-draw/2: the tree head's size")
@click.option("--head-root", default="", help="ggzy-draw/2: the tree head's root hash, hex (empty: no head yet)")
def verify(snapshot_path: Path, seed: str, commitment: str, entry: str | None, head_size: int, head_root: str) -> None:
    """Check the seed and the snapshot against the commitment, derive the final seed from the
    beacon (the supervisor's entry and the tree head, for a ggzy-draw/2 draw), replay the draw and
    print the committee and the reserves as JSON. Exit 1 naming what does not match."""
    beacon = draws.Beacon(entry, head_size, head_root.strip().lower()) if entry is not None else None
    try:
        outcome = draws.verify(snapshot_path.read_bytes(), seed, commitment, beacon)
    except draws.DrawError as exc:
        click.echo(f"verification failed: {exc}", err=True)
        sys.exit(1)
    except ValueError as exc:  # a snapshot that is not the JSON the commitment names
        click.echo(f"verification failed: snapshot: {exc}", err=True)
        sys.exit(1)
    click.echo(json.dumps(draws.outcome_as_dict(outcome), ensure_ascii=False, indent=2))


@click.group()
def evaluation() -> None:
    """Evaluation (评标) tools."""


@evaluation.command("compute")
@click.argument("sheet", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def compute(sheet: Path) -> None:
    """Compute an evaluation from a JSON scoring sheet and print the result as JSON (items,
    price scores, totals, ranking, candidates, exclusions, anomalies, ties). Exit 2 listing
    every problem of a bad sheet."""
    try:
        doc = json.loads(sheet.read_bytes())
        template, bids, scores, resolutions, limits = scoring.parse_sheet(doc)
    except (ValueError, UnicodeDecodeError) as exc:
        problems = exc.problems if isinstance(exc, scoring.SheetError) else [("$", f"not JSON: {exc}")]
        for where, reason in problems:
            click.echo(f"{where}: {reason}", err=True)
        sys.exit(2)
    result = scoring.compute(template, bids, scores, resolutions, limits)
    click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
