"""Inbound mail: replies to Parley's mails (an employee answering an owed comment, a
customer in a private conversation), read from a message and handed to the feature
whose reply address it was sent to (addresses.py, handlers.py)."""
