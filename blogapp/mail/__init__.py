"""Mail: an outbox table written with the change, delivered after commit."""
