"""Sealed bids: the keys bidders and custodians register, the publication of a tender's opening
key with its shares sealed to the custodians, and submission (upload, checks, signed receipt),
withdrawal and replacement."""
