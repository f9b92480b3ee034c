"""Use cases of the evaluation (评标): the expert pool, the draw, the committee, scoring:
transactions, the audit trail, the only writer of status (through states.py).

Scaffolded by the restructure (issue 9); the evaluation and credit issues fill it."""
