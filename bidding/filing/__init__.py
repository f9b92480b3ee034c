"""Tender filing (招标备案): agencies file a tender project with the supervision authority, the
platform tells every deficiency at once (一次性告知), officers decide within a working-day
limit (限时办理), and an accepted filing publishes the tender."""
