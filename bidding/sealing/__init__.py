"""Sealing a bid on the bidder's own machine, pure and offline (no web, no database): the envelope
format (docs/envelope.md), keys, custody of the opening key (k-of-n shares), receipts, and the
`ggzy seal` client."""
