"""Sign-in throttling (登录限速): growing delays instead of a lock an attacker can renew.

Failed sign-ins are counted under three keys: the account name (whether it exists or not), the
client address, and the pair of both. Each key lets a few failures through freely (`FREE`), then
makes the next attempt wait 1 s, 2 s, 4 s … after its last counted failure, up to `MAX_DELAY`; a
key forgets its failures `FORGET_AFTER` without a new one. An attempt that comes too early is
refused (429 with the time to come back) and counts nothing, so an attacker cannot extend a wait.

The real user keeps a way in: an address that has not failed on the account (a clean pair) waits
at most `CLEAN_DELAY` for the account's and the address's failures, so guessing from elsewhere
never keeps an account's owner out, and twenty colleagues' typos behind one office address never
lock the office out. A pair that fails waits as long as the counts say: that is the guesser.
Pure: no web, no database.
"""

from __future__ import annotations

from datetime import datetime, timedelta

FREE = {"pair": 3, "user": 10, "ip": 20}  # failures let through before any delay, per kind of key
MAX_DELAY = timedelta(minutes=15)
CLEAN_DELAY = timedelta(seconds=2)
FORGET_AFTER = timedelta(hours=1)


def kind_of(key: str) -> str:
    return key.split(":", 1)[0]


def current(failures: int, last: datetime, now: datetime) -> int:
    """The failures still counted at `now` (none once `FORGET_AFTER` has passed since the last)."""
    return 0 if last <= now - FORGET_AFTER else failures


def allowed_from(kind: str, failures: int, last: datetime, now: datetime, clean: bool) -> datetime | None:
    """When an attempt under a key of `kind` may come, if not now; `clean`: the pair has no failure."""
    failures = current(failures, last, now)
    if failures < FREE[kind]:
        return None
    delay = min(timedelta(seconds=2 ** min(failures - FREE[kind], 20)), MAX_DELAY)
    if clean and kind != "pair":
        delay = min(delay, CLEAN_DELAY)
    return last + delay if last + delay > now else None
