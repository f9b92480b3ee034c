"""The filing checklist (备案审查要点): per-project-type policy and the machine-checkable rules, pure.

Policies and rules are data. `check_filing` runs every rule and returns every deficiency
(一次性告知), each with a code, its target (a field, or `document:<kind>`), and a message in
Chinese and English. The shell gathers the facts (including whether the tenderee is a
registered organization) and refuses to submit while any deficiency remains.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from bidding.tender.states import TenderStatus


class ProjectType(enum.StrEnum):
    construction = "construction"  # 工程建设
    government_procurement = "government_procurement"  # 政府采购
    other = "other"  # 其他


class ProcurementMethod(enum.StrEnum):
    open = "open"  # 公开招标
    invited = "invited"  # 邀请招标
    consultation = "consultation"  # 竞争性磋商 (government procurement only, 财库〔2014〕214号)


# 竞争性磋商 (财库〔2014〕214号): at least 10 days from the documents to the first responses (art.
# 10), a panel of at least 3 (art. 14), at least 3 suppliers invited when they are invited (art. 6).
CONSULTATION_MIN_DAYS = 10
CONSULTATION_LEAST_PANEL = 3


class BondForm(enum.StrEnum):
    """How a bidder may post the bid bond (投标保证金)."""

    transfer = "transfer"  # a transfer from the bidder's basic account (基本账户转账, Regs art. 26)
    bank_guarantee = "bank_guarantee"  # 银行保函
    insurance_guarantee = "insurance_guarantee"  # 保证保险
    guarantor_guarantee = "guarantor_guarantee"  # 担保机构保函


GUARANTEES = frozenset({BondForm.bank_guarantee, BondForm.insurance_guarantee, BondForm.guarantor_guarantee})
# The bid bond's cap: 2 % of the estimate (实施条例 art. 26; decided: the filing's budget is the
# estimate) or, in government procurement, of the budget (政府采购法实施条例 art. 33).
BOND_CAP = Decimal("0.02")


class EvaluationMethod(enum.StrEnum):
    comprehensive_scoring = "comprehensive_scoring"  # 综合评估法
    lowest_evaluated_price = "lowest_evaluated_price"  # 经评审的最低投标价法


class DocumentKind(enum.StrEnum):
    announcement = "announcement"
    tender_document = "tender_document"
    project_approval = "project_approval"
    agency_contract = "agency_contract"
    funding_proof = "funding_proof"
    invitation_approval = "invitation_approval"  # a state-funded project's approval to invite (Regs art. 8)
    other = "other"


DOCUMENT_NAMES: dict[DocumentKind, tuple[str, str]] = {
    DocumentKind.announcement: ("招标公告", "tender announcement"),
    DocumentKind.tender_document: ("招标文件", "tender document"),
    DocumentKind.project_approval: ("项目审批/核准文件", "project approval"),
    DocumentKind.agency_contract: ("招标代理委托合同", "agency contract"),
    DocumentKind.funding_proof: ("资金落实证明", "proof of funding"),
    DocumentKind.invitation_approval: ("邀请招标核准/认定文件", "approval to invite tenders"),
    DocumentKind.other: ("其他材料", "other material"),
}


@dataclass(frozen=True)
class ProjectTypePolicy:
    project_type: ProjectType
    name_zh: str
    required_documents: frozenset[DocumentKind]
    # Calendar days from the announcement to the bid deadline, at least (Bidding Law art. 24).
    min_bid_period_days: int | None
    # The officer's processing time limit (限时办理), in working days from submission.
    processing_working_days: int
    # 逾期视为同意: a round nobody decided by its deadline is accepted automatically.
    deemed_accepted_when_overdue: bool


_CORE_DOCUMENTS = frozenset({DocumentKind.announcement, DocumentKind.tender_document})

POLICIES: dict[ProjectType, ProjectTypePolicy] = {
    ProjectType.construction: ProjectTypePolicy(
        ProjectType.construction,
        "工程建设",
        _CORE_DOCUMENTS | {DocumentKind.project_approval, DocumentKind.funding_proof},
        min_bid_period_days=20,
        processing_working_days=2,
        deemed_accepted_when_overdue=False,
    ),
    ProjectType.government_procurement: ProjectTypePolicy(
        ProjectType.government_procurement,
        "政府采购",
        _CORE_DOCUMENTS | {DocumentKind.funding_proof},
        min_bid_period_days=20,
        processing_working_days=2,
        deemed_accepted_when_overdue=False,
    ),
    ProjectType.other: ProjectTypePolicy(
        ProjectType.other,
        "其他",
        _CORE_DOCUMENTS,
        min_bid_period_days=None,
        processing_working_days=2,
        deemed_accepted_when_overdue=True,
    ),
}


@dataclass(frozen=True)
class Deficiency:
    """One item of a deficiency notice (补正告知)."""

    code: str
    target: str
    message_zh: str
    message_en: str
    source: str = "machine"  # or "officer"

    def as_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "target": self.target,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
            "source": self.source,
        }


@dataclass(frozen=True)
class PreviousTender:
    """The tender a filing re-tenders (重新招标), as the shell found it."""

    status: str
    agency_uscc: str
    retendered: bool  # another accepted filing already re-tenders it


RETENDERABLE = frozenset({TenderStatus.failed, TenderStatus.cancelled})  # 流标 or 终止


@dataclass(frozen=True)
class FilingFacts:
    """Everything the checklist looks at, gathered by the shell."""

    project_type: ProjectType
    agency_uscc: str
    project_code: str | None
    tenderee_uscc: str | None
    tenderee_registered: bool
    procurement_method: str | None
    budget: Decimal | None
    announcement_date: date | None
    bid_deadline: datetime | None
    opening_time: datetime | None
    evaluation_method: str | None
    committee_size: int | None
    document_kinds: frozenset[str]
    bid_validity_days: int | None = None
    state_funded: bool | None = None
    complex_or_high_impact: bool | None = None
    bond_amount: Decimal | None = None  # None: no bid bond asked
    bond_forms: tuple[str, ...] = ()
    invitees: tuple[str, ...] = ()
    retender_of: uuid.UUID | None = None
    previous_tender: PreviousTender | None = None  # None: no tender of that id (or not the agency's)


REQUIRED_FIELDS: dict[str, tuple[str, str]] = {
    "project_code": ("项目编号", "project code"),
    "tenderee_uscc": ("招标人统一社会信用代码", "tenderee USCC"),
    "procurement_method": ("招标方式", "procurement method"),
    "budget": ("预算金额", "budget"),
    "announcement_date": ("公告发布日期", "announcement date"),
    "bid_deadline": ("投标截止时间", "bid deadline"),
    "opening_time": ("开标时间", "opening time"),
    "evaluation_method": ("评标办法", "evaluation method"),
    "committee_size": ("评标委员会人数", "committee size"),
    "bid_validity_days": ("投标有效期", "bid validity period (days)"),  # Regs art. 25
    "state_funded": ("是否国有资金占控股或者主导地位", "whether state funds control the project"),  # Regs art. 55
}


@dataclass(frozen=True)
class Context:
    now: datetime
    tz: ZoneInfo

    @property
    def today(self) -> date:
        return self.now.astimezone(self.tz).date()


Finding = tuple[str, str] | None  # (message_zh, message_en) when the rule is broken


@dataclass(frozen=True)
class Rule:
    code: str
    target: str
    check: Callable[[FilingFacts, Context], Finding]


def _budget(f: FilingFacts, _c: Context) -> Finding:
    if f.budget is not None and f.budget <= 0:
        return ("预算金额必须大于零", f"the budget must be greater than zero (got {f.budget})")
    return None


# Government procurement: a committee of at least 7 from this budget on, or for a project that is
# technically complex, highly specialised or of large social impact (87号令 art. 47).
GP_LARGE_COMMITTEE_BUDGET = Decimal("10000000")


def least_committee(f: FilingFacts) -> int:
    """The least committee size the law allows the filing (5; 7 for a large or complex GP project;
    a consultation's panel 3)."""
    if f.procurement_method == ProcurementMethod.consultation:
        return CONSULTATION_LEAST_PANEL
    large = f.budget is not None and f.budget >= GP_LARGE_COMMITTEE_BUDGET
    if f.project_type == ProjectType.government_procurement and (large or f.complex_or_high_impact):
        return 7
    return 5


def _committee(f: FilingFacts, _c: Context) -> Finding:
    least = least_committee(f)
    if f.committee_size is None or (f.committee_size >= least and f.committee_size % 2 == 1):
        return None
    if least == 7:
        return (
            f"预算金额1000万元以上或技术复杂、专业性强、社会影响较大的政府采购项目，评标委员会应为7人以上单数"
            f"（当前{f.committee_size}人，财政部令第87号第四十七条）",
            f"a GP project of 10 million yuan or more, or complex or of large social impact, needs an odd "
            f"committee of at least 7 (got {f.committee_size}; MOF order 87 art. 47)",
        )
    if least == CONSULTATION_LEAST_PANEL:
        return (
            f"磋商小组应为3人以上单数（当前{f.committee_size}人，财库〔2014〕214号第十四条）",
            f"a consultation panel is an odd number of at least 3 (got {f.committee_size}; 财库〔2014〕214号 art. 14)",
        )
    return (
        f"评标委员会人数应为5人以上单数（当前{f.committee_size}人）",
        f"the committee must be an odd number of at least 5 members (got {f.committee_size})",
    )


def _opening_at_deadline(f: FilingFacts, _c: Context) -> Finding:
    if f.bid_deadline is not None and f.opening_time is not None and f.bid_deadline != f.opening_time:
        return ("开标时间应当与投标截止时间为同一时间", "the opening time must be the bid deadline")
    return None


def _announcement_not_past(f: FilingFacts, c: Context) -> Finding:
    if f.announcement_date is not None and f.announcement_date < c.today:
        return (
            f"公告发布日期{f.announcement_date}已过",
            f"the announcement date {f.announcement_date} is in the past",
        )
    return None


def _deadline_future(f: FilingFacts, c: Context) -> Finding:
    if f.bid_deadline is not None and f.bid_deadline <= c.now:
        return ("投标截止时间已过", "the bid deadline is in the past")
    return None


def _bid_period(f: FilingFacts, c: Context) -> Finding:
    minimum = (
        CONSULTATION_MIN_DAYS
        if f.procurement_method == ProcurementMethod.consultation
        else POLICIES[f.project_type].min_bid_period_days
    )
    if minimum is None or f.announcement_date is None or f.bid_deadline is None:
        return None
    days = (f.bid_deadline.astimezone(c.tz).date() - f.announcement_date).days
    if days < minimum:
        return (
            f"自公告发布至投标截止不得少于{minimum}日（当前{days}日）",
            f"at least {minimum} calendar days must pass from the announcement to the bid deadline (got {days})",
        )
    return None


def _tenderee_registered(f: FilingFacts, _c: Context) -> Finding:
    if f.tenderee_uscc is not None and not f.tenderee_registered:
        return (
            f"招标人{f.tenderee_uscc}未在平台登记",
            f"the tenderee {f.tenderee_uscc} is not a registered organization",
        )
    return None


def _invitees(f: FilingFacts, _c: Context) -> Finding:
    """An invited tender invites at least 3 bidders (招标投标法 art. 17); an open one names none."""
    distinct = len(set(f.invitees))
    if f.procurement_method == "invited" and distinct < 3:
        return (
            f"邀请招标应当向三个以上潜在投标人发出投标邀请书（当前{distinct}个）",
            f"an invited tender invites at least 3 bidders (got {distinct})",
        )
    if f.procurement_method == "open" and f.invitees:
        return ("公开招标不指定受邀投标人", "an open tender names no invitees")
    if f.procurement_method == ProcurementMethod.consultation and f.invitees and distinct < 3:
        return (
            f"竞争性磋商邀请供应商的，应当邀请不少于3家（当前{distinct}家，财库〔2014〕214号第六条）",
            f"a consultation by invitation invites at least 3 suppliers (got {distinct}; 财库〔2014〕214号 art. 6)",
        )
    return None


def _bond_cap(f: FilingFacts, _c: Context) -> Finding:
    """A bid bond of at most 2 % of the estimate (Regs art. 26) or of the GP budget (GPR art. 33)."""
    if f.bond_amount is None or f.budget is None or f.budget <= 0:
        return None
    cap = (f.budget * BOND_CAP).quantize(Decimal("0.01"))
    if f.bond_amount <= cap:
        return None
    if f.project_type == ProjectType.government_procurement:
        return (
            f"投标保证金不得超过采购项目预算金额的2%（{cap}元，政府采购法实施条例第三十三条）",
            f"the bid bond is at most 2 % of the budget ({cap} yuan; GPR art. 33)",
        )
    return (
        f"投标保证金不得超过招标项目估算价的2%（{cap}元，招标投标法实施条例第二十六条）",
        f"the bid bond is at most 2 % of the estimate ({cap} yuan; Regs art. 26)",
    )


def _bond_forms(f: FilingFacts, _c: Context) -> Finding:
    """A bond asked names the forms it takes, a guarantee among them (发改法规〔2023〕27号: guarantees
    in place of cash are accepted)."""
    if f.bond_amount is None:
        return None
    if not f.bond_forms:
        return ("要求投标保证金的，应当载明可接受的提交形式", "a bid bond names the forms it may be posted in")
    if not GUARANTEES & set(f.bond_forms):
        return (
            "投标保证金应当接受保函等非现金形式（发改法规〔2023〕27号）",
            "a bid bond accepts a guarantee in place of cash (发改法规〔2023〕27号)",
        )
    return None


def _method_of_regime(f: FilingFacts, _c: Context) -> Finding:
    """竞争性磋商 is a government procurement method (政府采购法 art. 26; 财库〔2014〕214号)."""
    if f.procurement_method == ProcurementMethod.consultation and f.project_type != ProjectType.government_procurement:
        return (
            "竞争性磋商是政府采购方式，仅适用于政府采购项目",
            "competitive consultation is a government procurement method",
        )
    return None


def _retender(f: FilingFacts, _c: Context) -> Finding:
    if f.retender_of is None:
        return None
    previous = f.previous_tender
    if previous is None or previous.agency_uscc != f.agency_uscc:
        return (
            f"重新招标所依据的招标项目{f.retender_of}不存在",
            f"no tender {f.retender_of} of this agency to re-tender",
        )
    if previous.status not in RETENDERABLE:
        return (
            f"只有已失败或已终止的招标项目可以重新招标（该项目状态为{previous.status}）",
            f"only a failed or cancelled tender can be re-tendered (it is {previous.status})",
        )
    if previous.retendered:
        return ("该招标项目已重新招标", "the tender has already been re-tendered")
    return None


def _required_field(name: str) -> Callable[[FilingFacts, Context], Finding]:
    zh, en = REQUIRED_FIELDS[name]

    def check(f: FilingFacts, _c: Context) -> Finding:
        return (f"缺少{zh}", f"the {en} is missing") if getattr(f, name) is None else None

    return check


RULES: tuple[Rule, ...] = (
    *(Rule("missing_field", name, _required_field(name)) for name in REQUIRED_FIELDS),
    Rule("tenderee_unregistered", "tenderee_uscc", _tenderee_registered),
    Rule("retender_invalid", "retender_of", _retender),
    Rule("invitees_invalid", "invitees", _invitees),
    Rule("method_of_other_regime", "procurement_method", _method_of_regime),
    Rule("bond_above_cap", "bond_amount", _bond_cap),
    Rule("bond_forms_invalid", "bond_forms", _bond_forms),
    Rule("budget_not_positive", "budget", _budget),
    Rule("committee_size_invalid", "committee_size", _committee),
    Rule("opening_not_at_deadline", "opening_time", _opening_at_deadline),
    Rule("announcement_in_past", "announcement_date", _announcement_not_past),
    Rule("bid_deadline_in_past", "bid_deadline", _deadline_future),
    Rule("bid_period_too_short", "bid_deadline", _bid_period),
)


def required_documents_for(project_type: ProjectType, *, agency_files: bool) -> frozenset[DocumentKind]:
    """The project type's documents, plus the agency contract when an agency files for a tenderee."""
    required = POLICIES[project_type].required_documents
    return required | {DocumentKind.agency_contract} if agency_files else required


def required_documents(facts: FilingFacts) -> frozenset[DocumentKind]:
    """The type's documents; a state-funded project invites tenders only with the approval that
    it may (实施条例 art. 8)."""
    agency_files = facts.tenderee_uscc is not None and facts.tenderee_uscc != facts.agency_uscc
    required = required_documents_for(facts.project_type, agency_files=agency_files)
    if facts.procurement_method == "invited" and facts.state_funded:
        required |= {DocumentKind.invitation_approval}
    return required


def check_filing(facts: FilingFacts, now: datetime, tz: ZoneInfo) -> list[Deficiency]:
    """Every machine-checkable deficiency of a filing, in a stable order."""
    context = Context(now, tz)
    found = [
        Deficiency(rule.code, rule.target, *finding)
        for rule in RULES
        if (finding := rule.check(facts, context)) is not None
    ]
    for kind in sorted(required_documents(facts) - facts.document_kinds):
        zh, en = DOCUMENT_NAMES[kind]
        found.append(Deficiency("missing_document", f"document:{kind}", f"缺少{zh}", f"the {en} is missing"))
    return found
