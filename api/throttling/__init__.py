"""Throttling (限流) of sign-in and of the public complaint entrances; see ``policy`` for the rules."""
