"""Threaded customer conversations under posts."""
