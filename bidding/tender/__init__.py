"""Tenders: the published tender an accepted filing creates, and its lifecycle."""
