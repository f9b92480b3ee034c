"""The tender and all that happens to it: `tender` (the lifecycle), `filing` (招标备案), `bids`
(keys, publication of the opening key, submission and receipts), `sealing` (the envelope, keys,
custody and the bidders' offline client: pure), `opening` (开标), and `market` (the intermediary
supermarket, 中介超市)."""
