"""The demo data set: a small, realistic cast for trying the platform on a laptop.

A trading centre (公共资源交易中心), the supervision bureau, a tenderee (招标人), two agencies
(招标代理), six bidders (投标人) and four intermediaries (中介机构) offering cost consulting,
with one user each: admin, supervisor, two agency staff, six bidder staff, four intermediary
staff. The custodians (admin, supervisor, agency staff) get custody keys and the bidders
signing keys; the private halves are written to <data dir>/demo-keys/. Three tender filings
show the filing desk at work: one accepted (its tender is published), one submitted and waiting
for the officer, one draft with deficiencies left to find on submission; and a cost-consulting
request in the intermediary supermarket, bidding tomorrow morning. All organizations
carry valid USCCs. Loading is idempotent: a second run changes nothing.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.actor import Actor, Role
from app.core.blobs import LocalBlobStore
from app.core.clock import Clock
from app.core.resident_id import person_hash
from app.core.settings import Settings
from app.core.uscc import make_uscc
from app.identity import service as identity
from app.identity.models import Organization, OrgKind, User
from app.identity.schemas import OrgCreate, UserCreate
from bidding.bids import registry
from bidding.bids.registry import KeyPurpose, active_key
from bidding.bonds import guarantees as bond_guarantees
from bidding.bonds.guarantee import GuarantorKind, public_key_text
from bidding.bonds.models import Guarantor
from bidding.bonds.reference_guarantor import load_or_create_key
from bidding.filing import service as filings
from bidding.filing.checklist import (
    DOCUMENT_NAMES,
    BondForm,
    EvaluationMethod,
    ProcurementMethod,
    ProjectType,
    required_documents_for,
)
from bidding.filing.models import Filing
from bidding.filing.schemas import FilingDraft
from bidding.market import intermediaries, requests
from bidding.market.auction.engine import Mode
from bidding.market.models import ServiceRequest
from bidding.sealing.keys import (
    CustodyPublicKey,
    bidder_key_pem,
    bidder_public_key,
    custody_key_pem,
    generate_bidder_key,
    generate_custody_key,
)
from bidding.tender.models import Tender
from credit import entries as credit_entries
from credit import hooks as credit_hooks
from credit import lists as credit_lists
from credit.entries import COLUMNS as CREDIT_COLUMNS
from experts import registry as expert_pool
from experts.pool import COLUMNS

DEMO_PASSWORD = "ggzy-demo-2026"  # noqa: S105  (printed for the demo, by design)
DIVISION = "420100"  # a city-level administrative division


@dataclass(frozen=True)
class DemoOrg:
    uscc: str
    name: str
    kind: OrgKind


def _org(category: str, body: str, name: str, kind: OrgKind) -> DemoOrg:
    return DemoOrg(make_uscc(category, DIVISION, body), name, kind)


ORGS = [
    _org("12", "MB160001", "江城市公共资源交易中心", OrgKind.trading_centre),
    _org("11", "MB160002", "江城市住房和城乡建设局", OrgKind.supervision),
    _org("91", "MA4K0001", "江城建设工程招标代理有限公司", OrgKind.agency),
    _org("91", "MA4K0002", "华信项目管理咨询有限公司", OrgKind.agency),
    _org("91", "MA4K0011", "江城第一建筑工程有限公司", OrgKind.bidder),
    _org("91", "MA4K0012", "长江路桥建设集团有限公司", OrgKind.bidder),
    _org("91", "MA4K0013", "中南水利水电工程有限公司", OrgKind.bidder),
    _org("91", "MA4K0014", "楚天园林绿化工程有限公司", OrgKind.bidder),
    _org("91", "MA4K0015", "江城市政工程有限公司", OrgKind.bidder),
    _org("91", "MA4K0016", "汉江智能科技有限公司", OrgKind.bidder),
    _org("11", "MB160003", "江城市教育局", OrgKind.tenderee),
    _org("91", "MA4K0021", "江城正衡工程造价咨询有限公司", OrgKind.intermediary),
    _org("91", "MA4K0022", "楚天建设项目管理咨询有限公司", OrgKind.intermediary),
    _org("91", "MA4K0023", "汉阳信达造价师事务所有限公司", OrgKind.intermediary),
    _org("91", "MA4K0024", "长江测绘与造价咨询有限公司", OrgKind.intermediary),
]
TENDEREE = next(org for org in ORGS if org.kind == OrgKind.tenderee)  # 江城市教育局 files through the agencies

# (username, display name, role, index into ORGS or None)
USERS = [
    ("admin", "平台管理员", Role.admin, 0),
    ("supervisor", "王监督", Role.supervisor, 1),
    ("agency1", "李代理", Role.agency, 2),
    ("agency2", "赵代理", Role.agency, 3),
    *[(f"bidder{i}", f"投标人{i}", Role.bidder, 3 + i) for i in range(1, 7)],
    *[(f"intermediary{i}", f"中介{i}", Role.intermediary, 10 + i) for i in range(1, 5)],
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    organization: str


async def load_demo(session: AsyncSession, clock: Clock, settings: Settings) -> list[DemoLogin]:
    actor = Actor.system("demo")
    existing = set((await session.scalars(select(User.username))).all())
    with Progress(transient=True) as progress:
        task = progress.add_task("loading demo data", total=len(ORGS) + len(USERS))
        for org in ORGS:
            if await session.get(Organization, org.uscc) is None:
                await identity.create_org(session, clock, actor, OrgCreate(uscc=org.uscc, name=org.name, kind=org.kind))
            progress.advance(task)
        for username, display_name, role, org_index in USERS:
            if username not in existing:
                data = UserCreate(
                    username=username,
                    password=DEMO_PASSWORD,
                    roles=[role],
                    display_name=display_name,
                    org_uscc=ORGS[org_index].uscc,
                )
                await identity.create_user(session, clock, actor, data, settings.scrypt_log_n)
            progress.advance(task)
    await _load_keys(session, clock, settings)
    await _load_filings(session, clock, settings)
    await _load_market(session, clock, settings)
    await _load_experts(session, clock, settings)
    await _load_credit_list(session, clock, settings)
    await _load_guarantor(session, clock, settings)
    logins = [DemoLogin(u, DEMO_PASSWORD, r.value, ORGS[i].name) for u, _, r, i in USERS]
    return logins + [DemoLogin(e[0], DEMO_PASSWORD, Role.expert.value, e[3]) for e in DEMO_EXPERTS[:3]]


# The expert pool (专家库): (username, name, specialties, employer, title); every one may sign in.
DEMO_EXPERTS = [
    ("expert1", "陈工", "construction.civil.bridges", "长江大学", "教授级高级工程师"),
    ("expert2", "刘工", "construction.civil.roads", "江城市政设计研究院", "高级工程师"),
    ("expert3", "周工", "construction.building", "江城建筑设计院", "高级工程师"),
    ("expert4", "吴工", "construction.civil", "中南勘察设计院", "高级工程师"),
    ("expert5", "郑工", "construction.electrical", "江城供电设计院", "高级工程师"),
    ("expert6", "孙工", "construction.hvac", "江城建筑设计院", "高级工程师"),
    ("expert7", "马会计", "economics.cost", "江城审计事务所", "高级造价工程师"),
    ("expert8", "朱会计", "economics.cost", "楚天造价咨询", "高级造价工程师"),
    ("expert9", "胡律师", "law", "江城律师事务所", "律师"),
    ("expert10", "林工", "water.hydraulic", "长江水利委员会设计院", "高级工程师"),
    ("expert11", "何工", "it.software", "江城大学", "副教授"),
    ("expert12", "高工", "construction.civil.tunnels", "中铁隧道设计院", "高级工程师"),
]
EXPERT_EMPLOYER_BODIES = {name: f"MA5E{i:04d}" for i, name in enumerate(sorted({e[3] for e in DEMO_EXPERTS}))}


async def _load_credit_list(session: AsyncSession, clock: Clock, settings: Settings) -> None:
    """A small 失信被执行人 list through its own import (as an admin loads a real one): an organization
    by its code, a person by resident ID (kept only as its hash), and one entry by name alone."""
    today = clock.now().astimezone(settings.tz).date().isoformat()
    lines = [
        ",".join(CREDIT_COLUMNS),
        f"organization,{make_uscc('91', DIVISION, 'MA5C0001')},,江城示范失信建材有限公司,拒不履行生效判决,"
        "江城市中级人民法院,(2026)鄂01执100号,2026-03-01,,",
        "person,,11010519491231002X,张示范,拒不履行生效判决,江城市中级人民法院,(2026)鄂01执101号,2026-03-01,,",
        f"organization,,,江城同名示范公司,拒不申报财产,江城市中级人民法院,(2025)鄂01执9号,2025-06-01,{today},",
    ]
    rows = credit_entries.csv_rows(io.StringIO("\n".join(lines) + "\n", newline=""))
    key = settings.person_id_key
    await credit_lists.import_list(
        session,
        clock,
        Actor.system("demo"),
        "dishonest_debtor",
        rows,
        lambda number: person_hash(key, number),
        source="demo",
        file_sha256="demo",
        today=clock.now().astimezone(settings.tz).date(),
    )


async def _load_experts(session: AsyncSession, clock: Clock, settings: Settings) -> None:
    """The pool through its own CSV import (as an admin loads a real one), then a demo password each."""
    lines = [",".join(COLUMNS)]
    for i, (username, name, specialty, employer, title) in enumerate(DEMO_EXPERTS):
        employer_uscc = make_uscc("91", DIVISION, EXPERT_EMPLOYER_BODIES[employer])
        birth = f"{1962 + i}-0{1 + i % 9}-15"
        since = f"{1986 + i}-09-01"  # eight years and more in the field, a senior title (Law art. 37)
        lines.append(
            f"{username},{name},{specialty},{title},{employer_uscc},{DIVISION},{birth},active,,,{since},senior"
        )
    result = await expert_pool.import_pool(
        session, clock, Actor.system("demo"), "\n".join(lines) + "\n", settings.tz, settings.person_id_key
    )
    for username in result["added"]:
        user = await user_named(session, username)
        await identity.reset_password(
            session, clock, Actor.system("demo"), user.id, DEMO_PASSWORD, settings.scrypt_log_n
        )


async def _load_keys(session: AsyncSession, clock: Clock, settings: Settings) -> None:
    """Custody keys for the custodians and signing keys for the bidders; the private halves go
    to <data dir>/demo-keys/ so the demo users can seal bids and hand in shares from there."""
    folder = settings.data_dir / "demo-keys"
    folder.mkdir(mode=0o700, exist_ok=True)
    for username, _name, role, _org in USERS:
        user = await user_named(session, username)
        if role in {Role.admin, Role.supervisor, Role.agency}:
            purpose, owner = KeyPurpose.custody, str(user.id)
        elif role is Role.bidder:
            purpose, owner = KeyPurpose.bid_signing, str(user.org_uscc)
        else:
            continue
        if await active_key(session, purpose, owner) is not None:
            continue
        if purpose is KeyPurpose.custody:
            custody_private = generate_custody_key()
            pem, public = (
                custody_key_pem(custody_private),
                CustodyPublicKey(custody_private.public_key().public_bytes_raw()).text(),
            )
        else:
            signing_private = generate_bidder_key()
            pem, public = bidder_key_pem(signing_private), bidder_public_key(signing_private).text()
        (folder / f"{username}.key").write_bytes(pem)
        (folder / f"{username}.key").chmod(0o600)
        (folder / f"{username}.pub").write_text(public + "\n")
        await registry.register(session, clock, Actor.of(user), purpose, owner, public)


async def _load_market(session: AsyncSession, clock: Clock, settings: Settings) -> None:
    """The intermediaries offer cost consulting (no qualification may be asked for it since
    国发〔2021〕7号); the education bureau has a request open for registration (three of four
    registered), bidding tomorrow morning."""
    if await session.scalar(select(ServiceRequest.id).limit(1)) is not None:
        return
    consultants = [Actor.of(await user_named(session, f"intermediary{i}")) for i in range(1, 5)]
    today = clock.now().astimezone(settings.tz).date()
    for actor in consultants:
        await intermediaries.offer_services(session, clock, actor, ["COST"])
    tomorrow = datetime.combine(today + timedelta(days=1), time(9, 0), tzinfo=settings.tz)
    terms = requests.RequestTerms(
        project_name="江城市第三中学教学楼新建工程全过程造价咨询",
        category="COST",
        ceiling=Decimal("300000.00"),
        floor=Decimal("120000.00"),
        registration_closes=tomorrow,
        bidding_starts=tomorrow + timedelta(minutes=30),
        bidding_ends=tomorrow + timedelta(minutes=60),
        max_end=tomorrow + timedelta(minutes=80),
        min_participants=3,
        mode=Mode.continuous,
        decrement_amount=Decimal("1000.00"),
        decrement_percent=None,
    )
    request = await requests.post_request(session, clock, Actor.of(await user_named(session, "agency1")), terms)
    for actor in consultants[:3]:
        await requests.register(session, clock, actor, request.id, credit_hooks.gate(settings.tz))


async def _one_chunk(content: bytes) -> AsyncIterator[bytes]:
    yield content


async def _filed(
    session: AsyncSession, clock: Clock, settings: Settings, draft: FilingDraft, documents: int | None
) -> Filing:
    """A filing by agency1 with the first `documents` of its required documents (all of them: None)."""
    agency = Actor.of(await user_named(session, "agency1"))
    blobs = LocalBlobStore(settings.blob_dir)
    filing = await filings.create(session, clock, agency, draft)
    kinds = sorted(required_documents_for(draft.project_type, agency_files=True))
    for kind in kinds[:documents]:
        content = f"{DOCUMENT_NAMES[kind][0]} · {draft.project_name}".encode()
        stored = await blobs.put(_one_chunk(content), settings.max_document_bytes)
        await filings.add_document(
            session,
            clock,
            agency,
            filing.id,
            kind=kind,
            filename=f"{kind}.pdf",
            content_type="application/pdf",
            blob=stored,
        )
    return filing


async def _submit_and_accept(session: AsyncSession, clock: Clock, settings: Settings, filing: Filing) -> Tender:
    await filings.submit(session, clock, Actor.of(await user_named(session, "agency1")), filing.id, settings.tz)
    officer = Actor.of(await user_named(session, "supervisor"))
    return await filings.accept(session, clock, officer, filing.id, "备案通过", settings.tz)


async def file_tender(
    session: AsyncSession, clock: Clock, settings: Settings, name: str, code: str, closes: datetime
) -> Tender:
    """A published tender whose bids close, and whose opening starts, at `closes` (the live show's):
    a project of type `other`, which has no minimum bid period."""
    draft = FilingDraft(
        project_name=name,
        project_type=ProjectType.other,
        project_code=code,
        tenderee_uscc=TENDEREE.uscc,
        procurement_method=ProcurementMethod.open,
        budget=Decimal("500000.00"),
        announcement_date=clock.now().astimezone(settings.tz).date(),
        bid_deadline=closes,
        opening_time=closes,
        evaluation_method=EvaluationMethod.lowest_evaluated_price,
        committee_size=5,
        bid_validity_days=60,
        state_funded=False,
    )
    return await _submit_and_accept(session, clock, settings, await _filed(session, clock, settings, draft, None))


async def _load_filings(session: AsyncSession, clock: Clock, settings: Settings) -> None:
    if await session.scalar(select(Filing.id).limit(1)) is not None:
        return
    today = clock.now().astimezone(settings.tz).date()
    for code, name, project_type, budget, fate in DEMO_FILINGS:
        announcement = today + timedelta(days=7)
        deadline = datetime.combine(announcement + timedelta(days=25), time(9, 30), tzinfo=settings.tz)
        draft = FilingDraft(
            project_name=name,
            project_type=project_type,
            project_code=code,
            tenderee_uscc=TENDEREE.uscc,
            procurement_method=ProcurementMethod.open,
            budget=Decimal(budget),
            announcement_date=announcement,
            bid_deadline=deadline,
            opening_time=deadline,
            evaluation_method=EvaluationMethod.comprehensive_scoring,
            committee_size=7 if fate != "draft" else 4,
            bid_validity_days=90,
            state_funded=True,
            # a bid bond of 1 % of the budget, cash or any guarantee (发改法规〔2023〕27号)
            bond_amount=(Decimal(budget) / 100).quantize(Decimal("0.01")) if fate == "accepted" else None,
            bond_forms=list(BondForm) if fate == "accepted" else None,
        )
        filing = await _filed(session, clock, settings, draft, 1 if fate == "draft" else None)
        if fate == "submitted":
            await filings.submit(session, clock, Actor.of(await user_named(session, "agency1")), filing.id, settings.tz)
        elif fate == "accepted":
            await _submit_and_accept(session, clock, settings, filing)


# The reference guarantor `ggzy demo` runs beside the platform (bidding.bonds.reference_guarantor).
DEMO_GUARANTOR = ("江城银行电子保函中心", make_uscc("91", DIVISION, "MA4G0001"), GuarantorKind.bank)
DEMO_GUARANTOR_PORT = 8001


def demo_guarantor_key(settings: Settings) -> Path:
    return settings.data_dir / "demo-guarantor.pem"


async def _load_guarantor(session: AsyncSession, clock: Clock, settings: Settings) -> None:
    name, uscc, kind = DEMO_GUARANTOR
    if await session.scalar(select(Guarantor.id).where(Guarantor.uscc == uscc)) is not None:
        return
    key = load_or_create_key(demo_guarantor_key(settings))
    await bond_guarantees.register_guarantor(
        session,
        clock,
        Actor.system("demo"),
        uscc=uscc,
        name=name,
        kind=kind,
        public_key=public_key_text(key.public_key()),
        endpoint=f"http://127.0.0.1:{DEMO_GUARANTOR_PORT}",
    )


async def user_named(session: AsyncSession, username: str) -> User:
    user = await session.scalar(select(User).where(User.username == username))
    assert user is not None
    return user


DEMO_FILINGS = [
    ("JC-2026-1101", "江城市政道路照明改造工程", ProjectType.construction, "8600000.00", "accepted"),
    ("JC-2026-1102", "江城市第三中学教学楼新建工程", ProjectType.construction, "12500000.00", "submitted"),
    ("JC-2026-1103", "江城市档案馆数字化服务采购", ProjectType.government_procurement, "960000.00", "draft"),
]


def print_logins(logins: list[DemoLogin]) -> None:
    table = Table(title="ggzy demo logins")
    for column in ("username", "password", "role", "organization"):
        table.add_column(column)
    for login in logins:
        table.add_row(login.username, login.password, login.role, login.organization)
    Console().print(table)
