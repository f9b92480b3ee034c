"""Joint credit penalties (联合惩戒): credit lists, the penalty memoranda as data, matching (pure),
checks of candidate winners with their evidence, credit commitments and scores. Rooms as in
every domain (docs/architecture.md); filled in by the credit issue. The USCC check itself is
the kernel's (`app.core.uscc`): every organization is keyed by it."""
