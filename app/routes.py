"""The route table: every HTTP handler of the platform, from the kernel and each domain.

Handlers live with their domain (`*/controllers.py`), the web console's pages in `app/console/`;
this module only lists them.
"""

from __future__ import annotations

from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler

from app.console.pages import STATIC, ConsolePages, PublicPages
from app.core.calendar.controllers import CalendarController
from app.core.controllers import AuditController, NotificationController, TransparencyController
from app.health import health
from app.identity.controllers import AuthController, OrgController, UserController
from bidding.award.controllers import AwardController, ComplaintDecisionsController
from bidding.award.gp_stats import gp_stats
from bidding.bids.controllers import BidController, KeyController, TenderKeyController, receipt_key_text
from bidding.bonds.controllers import BankController, BondController, GuarantorController, bond_stats
from bidding.filing.controllers import FilingController
from bidding.market.controllers import (
    IntermediaryController,
    ServiceRequestController,
    market_stats,
    service_categories,
)
from bidding.ocds.controllers import OcdsController
from bidding.opening.controllers import OpeningController
from bidding.tender.controllers import TenderController
from credit.controllers import CreditController, TenderCreditController
from experts.controllers import (
    CommitteeController,
    ConsultationController,
    EvaluationController,
    ExpertPoolController,
    PriceClarificationController,
    decline,
    specialties,
)

ROUTE_HANDLERS: list[ControllerRouterHandler] = [
    AuthController,
    OrgController,
    UserController,
    AuditController,
    TransparencyController,
    CalendarController,
    FilingController,
    TenderController,
    NotificationController,
    KeyController,
    TenderKeyController,
    BidController,
    OpeningController,
    BondController,
    BankController,
    GuarantorController,
    bond_stats,
    IntermediaryController,
    ServiceRequestController,
    service_categories,
    market_stats,
    receipt_key_text,
    ExpertPoolController,
    CommitteeController,
    EvaluationController,
    ConsultationController,
    PriceClarificationController,
    CreditController,
    TenderCreditController,
    AwardController,
    ComplaintDecisionsController,
    gp_stats,
    OcdsController,
    specialties,
    decline,
    health,
    PublicPages,
    ConsolePages,
    create_static_files_router("/static", [STATIC], opt={"public": True}, include_in_schema=False),
]
