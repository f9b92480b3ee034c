"""Experts: the expert pool (专家库), random draw with recusal (回避), scoring and aggregation (评标).
Filled in by the expert issues."""
