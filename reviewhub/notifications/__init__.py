"""Telling people things: the mail transport (mail: SMTP, or the outbox folder on a laptop) and
the messages themselves (accounts: invitations and reset links, always pointing at the base
URL)."""
