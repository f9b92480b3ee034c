"""The route table: every HTTP handler of the platform, from the kernel and each domain.

Handlers live with their domain (`*/controllers.py`); this module only lists them.
"""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from app.core.calendar.controllers import CalendarController
from app.core.controllers import AuditController, NotificationController, TransparencyController
from app.health import health
from app.identity.controllers import AuthController, OrgController, UserController
from bidding.award.controllers import AwardController
from bidding.bids.controllers import BidController, KeyController, TenderKeyController, receipt_key_text
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
from experts.controllers import CommitteeController, EvaluationController, ExpertPoolController, decline, specialties

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
    IntermediaryController,
    ServiceRequestController,
    service_categories,
    market_stats,
    receipt_key_text,
    ExpertPoolController,
    CommitteeController,
    EvaluationController,
    CreditController,
    TenderCreditController,
    AwardController,
    OcdsController,
    specialties,
    decline,
    health,
]
