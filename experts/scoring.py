"""Score aggregation, abnormal scores (畸高畸低) and the ranking of candidate winners, pure.

Scaffolded by the restructure (issue 9); the evaluation and credit issues fill it."""
