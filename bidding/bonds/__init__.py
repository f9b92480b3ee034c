"""Bid bonds (投标保证金) and performance bonds (履约保证金): each bidder's bond on a tender, the
cash paid into its own virtual sub-account (子账户) and matched from the settlement bank's
statement and callbacks, the ledger of each bond, the refunds the platform instructs without
anyone asking, and forfeiture only by the tenderee's recorded decision."""
