"""Identity: organizations (keyed by their USCC), users and their roles, sign-in and sign-out
(scrypt passwords, JWT bearer or cookie, throttled attempts, revocable tokens)."""
