"""Administration: accounts and roles."""
