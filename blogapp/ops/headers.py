"""Security headers on every response."""

from flask import Flask, Response

# No inline script or style anywhere: the templates' JavaScript lives in static files.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        # Staff posts may show pictures hosted elsewhere over HTTPS.
        "img-src 'self' https: data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


def security_headers(app: Flask) -> list[tuple[str, str]]:
    """Every response's security headers on ``app``: HEADERS, and HSTS in production."""
    headers = list(HEADERS.items())
    if app.config.get("ENV_NAME") == "production":
        headers.append(("Strict-Transport-Security", "max-age=31536000"))
    return headers


def register(app: Flask) -> None:
    """Add the headers unless a view set its own."""
    headers = security_headers(app)

    @app.after_request
    def secure_headers(response: Response) -> Response:
        for name, value in headers:
            response.headers.setdefault(name, value)
        return response
