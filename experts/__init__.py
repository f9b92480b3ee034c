"""Experts and evaluation (评标): the expert pool (专家库), the verifiable random draw with
recusal (回避), the committee, scoring and aggregation, the evaluation report. Rooms as in every
domain (docs/architecture.md); filled in by the evaluation issue."""
