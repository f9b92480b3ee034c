"""Importing this module registers every table on `Base.metadata`: Alembic's env.py and the
migration tests import it so that the models they compare against are complete."""

import app.core.models
import app.identity.models
import bidding.award.models
import bidding.bids.models
import bidding.bonds.models
import bidding.filing.models
import bidding.market.models
import bidding.ocds.models
import bidding.opening.models
import bidding.tender.models
import credit.models
import experts.models

__all__ = ["app", "bidding", "credit", "experts"]
