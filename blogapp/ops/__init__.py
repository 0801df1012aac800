"""Running in production: health checks, security headers, request logs, backups."""
