"""Experts and evaluation (评标): the expert pool (专家库), the verifiable random draw with
recusal (回避), the committee, scoring and aggregation, the evaluation report, the experts'
assessment (考核). Rooms as in every domain (docs/architecture.md):

- pure rules: `pool` (the CSV check), `draw` (exclusions, snapshot, commitment, HMAC order),
  `scoring` (template, price formulas, aggregation, anomalies, ranking), `assessment`, `states`;
- use cases: `registry` (the pool), `committee` (the draw, seats, replacements, who may know),
  `evaluation` (template, scores, report, corrections), `conduct` (ratings, incidents, rules);
- `jobs` (the `expert-draw` step), `controllers`, `tools` (`ggzy draw verify`,
  `ggzy evaluation compute`: offline, the same pure code).
"""
