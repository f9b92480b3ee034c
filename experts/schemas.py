"""msgspec Structs of the evaluation (评标): the expert pool, the draw, the committee, scoring: the
API contract, separate from the ORM tables.

Scaffolded by the restructure (issue 9); the evaluation and credit issues fill it."""
