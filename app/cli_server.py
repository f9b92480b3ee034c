"""The operator's commands of `ggzy`: serve, migrate, manage users and organizations, load the
calendar, verify the audit trail, run the scheduler and the demo. They call the same services as
the API, as `Actor.system("cli")`. `app.cli` loads this module only for these commands."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

import click
import msgspec
from alembic import command as alembic_command
from rich.progress import Progress
from sqlalchemy.ext.asyncio import AsyncSession

from app import migrate
from app.core import audit, checkpoint, transparency
from app.core.actor import Actor, Role
from app.core.audit_chain import ChainReport
from app.core.calendar import service as calendar_service
from app.core.calendar.schemas import PeriodOut
from app.core.clock import SystemClock
from app.core.db import make_engine, make_session_factory
from app.core.problems import InvalidRequest, Problem
from app.core.resident_id import person_hash
from app.core.settings import Settings, load_or_create_receipt_key
from app.core.validation import collect_errors
from app.demo_show import DEFAULT_LEAD_SECONDS
from app.identity import service as identity
from app.identity.models import OrgKind
from app.identity.schemas import OrgCreate, UserCreate
from bidding.ocds import service as ocds_service
from credit import checks as credit_checks
from credit import entries as credit_entries
from credit import lists as credit_lists
from credit.schemas import CheckRole
from credit.schemas import SubjectIn as CheckSubject
from experts import registry as expert_registry

T = TypeVar("T")
CLI_ACTOR = Actor.system("cli")


def run_with_session(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    async def _run() -> T:
        engine = make_engine(settings.database_url)
        try:
            async with make_session_factory(engine)() as session:
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(_run())


def _fail_on_problem(exc: Problem) -> None:
    click.secho(f"error: {exc.detail}", fg="red", err=True)
    for item in exc.extra.get("invalid-params", []):
        click.secho(f"  {item['name']}: {item['reason']}", fg="red", err=True)
    sys.exit(2)


# Live watchers (SSE) never end by themselves: on SIGTERM, requests get this long to finish.
GRACEFUL_SHUTDOWN_SECONDS = 3


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--workers", default=1, show_default=True, type=int, help="web worker processes (PostgreSQL + Redis only)"
)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the API (and pages) with uvicorn."""
    import uvicorn

    settings = Settings.from_env()
    if workers > 1 and (settings.is_sqlite or not settings.redis_url):
        raise click.UsageError("several workers need PostgreSQL (GGZY_DATABASE_URL) and Redis (GGZY_REDIS_URL)")
    uvicorn.run(
        "app.asgi:app",
        host=host,
        port=port,
        workers=workers,
        proxy_headers=bool(settings.trusted_proxies),  # X-Forwarded-For only from proxies we trust
        forwarded_allow_ips=settings.trusted_proxies or None,
        log_level="info",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )


@click.command()
def scheduler() -> None:
    """Run the time-driven sweeps (one process per deployment) until stopped."""
    import logging

    from app.scheduler import run_forever

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = Settings.from_env()
    asyncio.run(run_forever(settings, settings.clock()))


@click.group()
def db() -> None:
    """Database migrations (Alembic) on the database named by GGZY_DATABASE_URL."""


@db.command()
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Migrate up to REVISION (default: head)."""
    migrate.upgrade(Settings.from_env().database_url, revision)
    click.echo(f"database at {revision}")


@db.command()
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Migrate down to REVISION (e.g. -1, or base)."""
    migrate.downgrade(Settings.from_env().database_url, revision)


@db.command()
def current() -> None:
    """Show the database's current revision."""
    alembic_command.current(migrate.alembic_config(Settings.from_env().database_url), verbose=True)


@db.command()
def history() -> None:
    """List the migrations."""
    alembic_command.history(migrate.alembic_config(Settings.from_env().database_url))


@db.command()
@click.option("-m", "--message", required=True)
@click.option("--autogenerate/--empty", default=True, show_default=True)
def revision(message: str, autogenerate: bool) -> None:
    """Write a new migration (autogenerated from the models by default)."""
    alembic_command.revision(
        migrate.alembic_config(Settings.from_env().database_url), message=message, autogenerate=autogenerate
    )


@db.command()
def check() -> None:
    """Fail if the models differ from the migrations (no autogenerate drift)."""
    alembic_command.check(migrate.alembic_config(Settings.from_env().database_url))


@click.group()
def org() -> None:
    """Organizations."""


@org.command("create")
@click.option("--uscc", required=True, help="unified social credit code (18 characters)")
@click.option("--name", required=True)
@click.option("--kind", required=True, type=click.Choice([kind.value for kind in OrgKind]))
def org_create(uscc: str, name: str, kind: str) -> None:
    """Register an organization."""
    settings = Settings.from_env()
    try:
        data = _build(OrgCreate, {"uscc": uscc, "name": name, "kind": kind})
        created = run_with_session(settings, lambda s: identity.create_org(s, SystemClock(), CLI_ACTOR, data))
    except Problem as exc:
        _fail_on_problem(exc)
    click.echo(f"created organization {created.uscc} {created.name}")


@click.group()
def user() -> None:
    """Users."""


@user.command("create")
@click.option("--username", required=True)
@click.option("--password", required=True)
@click.option("--role", "roles", required=True, multiple=True, type=click.Choice([role.value for role in Role]))
@click.option("--org", "org_uscc", default=None, help="USCC of the user's organization")
@click.option("--display-name", default=None)
def user_create(
    username: str, password: str, roles: tuple[str, ...], org_uscc: str | None, display_name: str | None
) -> None:
    """Create a user (repeat --role for several roles)."""
    settings = Settings.from_env()
    raw = {
        "username": username,
        "password": password,
        "roles": list(roles),
        "org_uscc": org_uscc,
        "display_name": display_name,
    }
    try:
        data = _build(UserCreate, raw)
        created = run_with_session(
            settings, lambda s: identity.create_user(s, SystemClock(), CLI_ACTOR, data, settings.scrypt_log_n)
        )
    except Problem as exc:
        _fail_on_problem(exc)
    click.echo(f"created user {created.username} ({', '.join(created.roles)}) id={created.id}")


def _build(struct_type: type[T], raw: Any) -> T:
    """Validate CLI input exactly like an API body, reporting every bad field at once."""
    if isinstance(raw, dict):
        raw = {key: value for key, value in raw.items() if value is not None}
    errors = collect_errors(struct_type, raw)  # type: ignore[arg-type]
    if errors:
        raise InvalidRequest(errors)
    return msgspec.convert(raw, struct_type)


@click.group()
def calendar() -> None:
    """The working-day calendar (法定节假日 and 调休上班)."""


@calendar.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def calendar_load(path: str) -> None:
    """Load a year's official schedule from a JSON file
    ({"year": 2027, "holidays": [dates], "workdays": [adjusted working dates]})
    and recompute every provisional deadline."""
    from app.core.calendar.schemas import YearScheduleIn
    from app.core.calendar.service import load_year
    from app.wiring import CALENDAR_LISTENERS

    settings = Settings.from_env()
    try:
        raw = msgspec.json.decode(Path(path).read_bytes())
    except msgspec.DecodeError as exc:
        raise click.ClickException(f"{path} is not valid JSON: {exc}") from exc
    try:
        data = _build(YearScheduleIn, raw)
        loaded = run_with_session(
            settings, lambda s: load_year(s, SystemClock(), CLI_ACTOR, data, settings.tz, CALENDAR_LISTENERS)
        )
    except Problem as exc:
        _fail_on_problem(exc)
    click.echo(
        f"loaded {loaded.year}: {loaded.holidays} holidays, {loaded.workdays} adjusted working days; "
        f"{loaded.recomputed_deadlines} provisional deadline(s) recomputed"
    )


@click.group("period")
def period_group() -> None:
    """Periods as the law counts them (民法典 arts. 201, 203)."""


@period_group.command("end")
@click.option("--from", "start", required=True, help="the event: YYYY-MM-DD or YYYY-MM-DDTHH:MM (local time)")
@click.option("--days", required=True, type=int, help="the period's length in days (1 to 3650)")
@click.option("--working", is_flag=True, help="count working days only")
def period_end(start: str, days: int, working: bool) -> None:
    """Print when a period ends (date, time and zone) and which rule moved it: the same answer as
    GET /api/v1/calendar/period, so an officer can check any deadline the platform shows."""
    settings = Settings.from_env()

    async def described(session: AsyncSession) -> PeriodOut:
        counted = await calendar_service.periods(session, settings.tz)
        return calendar_service.describe(counted, event, days, working=working)

    try:
        event = calendar_service.period_question(start, days, settings.tz)
        answer = run_with_session(settings, described)
    except Problem as exc:
        _fail_on_problem(exc)
    click.echo(f"{answer.ends}  (= {answer.ends_at.isoformat()})")
    for rule in answer.rules:
        click.echo(f"  {rule}")


@click.group("audit")
def audit_group() -> None:
    """The audit trail."""


@audit_group.command("verify")
@click.option(
    "--head",
    "head_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="a signed tree head saved earlier (the JSON of /api/v1/transparency/heads/…, or its checkpoint)",
)
def audit_verify(head_file: Path | None) -> None:
    """Integrate what is pending, then recompute the transparency log from the events and check
    every signed head, the consistency between consecutive heads and (--head) a head saved
    earlier; and the hash chain of the history written before the log. Exit 1 naming the first
    bad leaf."""
    settings = Settings.from_env()
    public = load_or_create_receipt_key(settings.receipt_key_path).public_key()
    saved = None
    if head_file is not None:
        text = head_file.read_text(encoding="utf-8")
        note = json.loads(text)["checkpoint"] if text.lstrip().startswith("{") else text
        try:
            saved = checkpoint.verify(note, settings.log_origin, public)
        except checkpoint.CheckpointError as exc:
            click.secho(f"the saved head is not signed by this platform: {exc}", fg="red", err=True)
            sys.exit(1)

    async def verify_all(session: AsyncSession) -> tuple[transparency.LogReport, ChainReport]:
        while await transparency.integrate(session) == transparency.BATCH:
            pass
        total = await audit.count(session)
        with Progress(transient=True, disable=total < 10_000) as progress:
            task = progress.add_task("recomputing the audit log", total=total)
            log = await transparency.verify_log(
                session, public, settings.log_origin, saved_head=saved, on_leaf=lambda: progress.advance(task)
            )
        return log, await audit.verify(session)

    log, chain = run_with_session(settings, verify_all)
    if not log.ok:
        click.secho(f"audit log BROKEN: {log.problem}", fg="red", err=True)
        sys.exit(1)
    if not chain.ok:
        assert chain.broken is not None
        click.secho(
            f"audit chain (before the log) BROKEN at event {chain.broken.seq}: {chain.broken.reason}",
            fg="red",
            err=True,
        )
        sys.exit(1)
    checked = f"; the saved head of size {saved.size} matches" if saved else ""
    click.echo(
        f"audit log OK: {log.leaves} leaves recomputed, {log.heads} signed heads checked{checked}; "
        f"history before the log: {chain.verified} chained events verified"
    )


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="load the demo data and exit")
@click.option(
    "--show-in",
    default=DEFAULT_LEAD_SECONDS,
    show_default=True,
    type=click.IntRange(min=15),
    help="seconds from start-up to the live show's opening (the auction bids from then on)",
)
@click.option("--no-show", is_flag=True, help="serve without staging the live show")
def demo(host: str, port: int, no_serve: bool, show_in: int, no_show: bool) -> None:
    """Create the database, migrate, load the demo data set, print the logins and serve; each start
    stages a live show (an opening and an auction minutes away) with a cast of demo users."""
    from app.demo import DEMO_PASSWORD, load_demo, print_logins
    from app.demo_show import Cast, announce, stage

    settings = Settings.from_env()
    click.echo(f"database: {settings.database_url}")
    migrate.upgrade(settings.database_url)
    logins = run_with_session(settings, lambda s: load_demo(s, SystemClock(), settings))
    print_logins(logins)
    if no_serve:
        return
    import uvicorn

    base = f"http://{host}:{port}"
    _start_demo_guarantor(settings, base)
    if not no_show:
        show = run_with_session(settings, lambda s: stage(s, SystemClock(), settings, show_in))
        announce(show, base, settings.tz)
        Cast(show, base, settings.data_dir / "demo-keys", DEMO_PASSWORD, SystemClock(), settings.tz).start()
    click.echo(f"serving on {base}  (the console: {base}/console, API docs: {base}/schema)")
    uvicorn.run(
        "app.asgi:app", host=host, port=port, log_level="info", timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS
    )


def _start_demo_guarantor(settings: Settings, platform: str) -> None:
    """The reference guarantor beside the demo platform, so a bidder buys a guarantee in the
    console: served from a daemon thread of this process, so it ends with the demo however the
    demo ends (uvicorn re-raises the signal that stops it, which no `finally` would outlive)."""
    import threading

    import uvicorn

    from app.demo import DEMO_GUARANTOR, DEMO_GUARANTOR_PORT, demo_guarantor_key
    from bidding.bonds.reference_guarantor import ReferenceGuarantor, create_app, load_or_create_key

    _, uscc, kind = DEMO_GUARANTOR
    guarantor = ReferenceGuarantor(load_or_create_key(demo_guarantor_key(settings)), uscc, kind, None, platform)
    config = uvicorn.Config(create_app(guarantor), host="127.0.0.1", port=DEMO_GUARANTOR_PORT, log_level="warning")
    threading.Thread(target=uvicorn.Server(config).run, name="reference guarantor", daemon=True).start()
    click.echo(f"reference guarantor (电子保函) on http://127.0.0.1:{DEMO_GUARANTOR_PORT}")


@click.group()
def experts() -> None:
    """The expert pool (专家库)."""


@experts.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def experts_import(file: Path) -> None:
    """Import experts from a CSV file: every bad row is listed and nothing is imported; the same
    file again changes nothing. Imported experts sign in once an admin sets their password."""
    settings = Settings.from_env()
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        click.secho("error: the file is not UTF-8", fg="red", err=True)
        sys.exit(2)
    try:
        result = run_with_session(
            settings,
            lambda s: expert_registry.import_pool(
                s, SystemClock(), CLI_ACTOR, text, settings.tz, settings.person_id_key
            ),
        )
    except Problem as exc:
        _fail_on_problem(exc)
    click.echo(f"added {len(result['added'])}, changed {len(result['changed'])}, unchanged {result['unchanged']}")


@click.group()
def credit() -> None:
    """Credit lists and checks (联合惩戒)."""


@credit.command("import")
@click.argument("list_type")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "file_format", type=click.Choice(["csv", "json"]), default=None, help="default: by extension")
@click.option("--source", default=None, help="where the file came from (default: its name)")
def credit_import(list_type: str, file: Path, file_format: str | None, source: str | None) -> None:
    """Import FILE as the whole current content of credit list LIST_TYPE (its next version).
    The file is checked row by row as it streams (CSV) and every bad row is listed; with any bad
    row nothing is imported; the same file again is an empty diff."""
    settings = Settings.from_env()
    file_format = file_format or ("json" if file.suffix.lower() == ".json" else "csv")
    size = file.stat().st_size
    digest = hashlib.sha256()
    with file.open("rb") as raw:
        for block in iter(lambda: raw.read(1 << 20), b""):
            digest.update(block)
    key = settings.person_id_key

    async def work(session: AsyncSession) -> dict[str, Any]:
        with file.open("rb") as raw, Progress(transient=True, disable=size < 1 << 20) as progress:
            task = progress.add_task(f"importing {file.name}", total=size)
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
            rows = credit_entries.json_rows(text.read()) if file_format == "json" else credit_entries.csv_rows(text)
            return await credit_lists.import_list(
                session,
                SystemClock(),
                CLI_ACTOR,
                list_type,
                rows,
                lambda number: person_hash(key, number),
                source=source or file.name,
                file_sha256=digest.hexdigest(),
                today=SystemClock().now().astimezone(settings.tz).date(),
                progress=lambda _rows: progress.update(task, completed=raw.tell()),
            )

    try:
        result = run_with_session(settings, work)
    except UnicodeDecodeError:
        click.secho("error: the file is not UTF-8", fg="red", err=True)
        sys.exit(2)
    except Problem as exc:
        _fail_on_problem(exc)
    click.echo(
        f"{result['list_type']} version {result['version']}: {result['entries']} entries; "
        f"added {result['added']}, removed {result['removed']}, changed {result['changed']}"
    )


@credit.command("check")
@click.option("--at", "day", required=True, type=click.DateTime(formats=["%Y-%m-%d"]), help="the day (YYYY-MM-DD)")
@click.option("--uscc", multiple=True, help="an organization's USCC (repeatable)")
@click.option("--person-id", multiple=True, help="a resident ID (repeatable; hashed at once, never kept)")
@click.option("--name", multiple=True, help="a name (repeatable; can only make review hits)")
@click.option(
    "--role", type=click.Choice(sorted(credit_checks.CONTEXT_OF_ROLE)), default="candidate", show_default=True
)
def credit_check(day: Any, uscc: tuple[str, ...], person_id: tuple[str, ...], name: tuple[str, ...], role: str) -> None:
    """Check subjects against the credit lists active on a day; prints JSON: per subject
    {"outcome": barred|warning|review|clear, "hits": [...]} (the same answer as POST /api/v1/credit/checks)."""
    settings = Settings.from_env()
    as_role = cast(CheckRole, role)
    items = [
        *(CheckSubject(uscc=u, role=as_role) for u in uscc),
        *(CheckSubject(person_id=p, role=as_role) for p in person_id),
        *(CheckSubject(name=n, role=as_role) for n in name),
    ]
    if not items:
        click.secho("error: give at least one --uscc, --person-id or --name", fg="red", err=True)
        sys.exit(2)
    key = settings.person_id_key
    try:
        pairs = credit_checks.subjects_from(items, lambda number: person_hash(key, number))
        answer = run_with_session(
            settings, lambda s: credit_checks.supervisors_check(s, SystemClock(), CLI_ACTOR, pairs, day.date())
        )
    except Problem as exc:
        _fail_on_problem(exc)
    click.echo(json.dumps(answer, ensure_ascii=False, indent=2))


@click.group("export")
def export_group() -> None:
    """Open data exports."""


def _instant(value: str | None, tz: ZoneInfo) -> datetime | None:
    """A date (midnight, local time) or an ISO instant (local time when it has no offset)."""
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


@export_group.command("ocds")
@click.option("--since", default=None, help="releases dated from (YYYY-MM-DD or an ISO instant)")
@click.option("--until", default=None, help="releases dated before (YYYY-MM-DD or an ISO instant)")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
def export_ocds(since: str | None, until: str | None, out_dir: Path) -> None:
    """Write the OCDS 1.1 release packages of the releases dated in [--since, --until), 1,000
    releases a file (releases-0001.json, …), and the record package of every tender they belong
    to (records.json) into OUT."""
    settings = Settings.from_env()
    window = (_instant(since, settings.tz), _instant(until, settings.tz))
    now = SystemClock().now()

    async def work(session: AsyncSession) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        with Progress(transient=True) as progress:
            task = progress.add_task("reading tenders", total=None)

            def advance(total: int) -> None:
                progress.update(task, total=total, advance=1)

            return await ocds_service.export_window(
                session,
                settings.ocds_prefix,
                settings.public_url,
                now,
                since=window[0],
                until=window[1],
                on_tender=advance,
            )

    releases, records = run_with_session(settings, work)
    out_dir.mkdir(parents=True, exist_ok=True)
    pages = [releases[i : i + ocds_service.MAX_PAGE] for i in range(0, len(releases), ocds_service.MAX_PAGE)]
    for number, page in enumerate(pages, start=1):
        uri = f"{settings.public_url}/exports/ocds/releases-{number:04d}.json"
        package = ocds_service.release_package(page, uri, now, None)
        (out_dir / f"releases-{number:04d}.json").write_bytes(ocds_service.ENCODER.encode(package))
    if records:
        package = ocds_service.record_package_of(records, f"{settings.public_url}/exports/ocds/records.json", now)
        (out_dir / "records.json").write_bytes(ocds_service.ENCODER.encode(package))
    click.echo(f"{len(releases)} releases in {len(pages)} package(s), {len(records)} records, in {out_dir}")


@click.group()
def bonds() -> None:
    """Bid bonds (投标保证金) and the settlement bank."""


@bonds.command("reconcile")
@click.argument("statement", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def bonds_reconcile(statement: Path) -> None:
    """List every difference between the bank's STATEMENT (CSV, see bidding/bonds/bank.py) and
    the bonds' ledger; exit 1 when there is any, 2 when the statement cannot be read."""
    from bidding.bonds import bank, reconcile
    from bidding.bonds import ledger as bond_ledger

    lines, errors = bank.parse_statement(statement.read_bytes())
    if errors:
        for e in errors:
            click.secho(f"error: {e.field}: {e.message}", fg="red", err=True)
        raise SystemExit(2)
    settings = Settings.from_env()
    ledger = run_with_session(settings, bond_ledger.ledger_rows)
    found = reconcile.differences(lines, ledger)
    for difference in found:
        click.echo(str(difference))
    click.echo(f"{len(lines)} statement line(s), {len(found)} difference(s)")
    if found:
        raise SystemExit(1)
