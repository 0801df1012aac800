"""Accounts: registration, login, the role checks and the users CLI."""
