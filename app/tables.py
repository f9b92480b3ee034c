"""Importing this module registers every table on `Base.metadata`: Alembic's env.py and the
migration tests import it so that the models they compare against are complete."""

import app.filing.models
import app.models
import app.tender.models
import bidding.market.models
import bidding.models

__all__ = ["app", "bidding"]
