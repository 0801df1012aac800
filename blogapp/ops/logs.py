"""Structured logs: one JSON object a line, each request's lines sharing a request id."""

import json
import logging
import re
import time
import uuid

from flask import Flask, Response, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def current_request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


class JsonFormatter(logging.Formatter):
    """Format a record as one line of JSON with the request id when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or current_request_id()
        if request_id:
            entry["request_id"] = request_id
        for key in ("method", "path", "status", "duration_ms", "remote_addr"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


ACCESS = logging.getLogger("parley.access")


def request_id_for(incoming: str | None) -> str:
    """A proxy's X-Request-ID when it is sane, else a new id."""
    return incoming if incoming and _SAFE_ID.match(incoming) else uuid.uuid4().hex


def log_access(
    request_id: str, method: str, path: str, status: int, started: float, remote_addr: str | None
) -> None:
    """The one access line of a request (``started`` from time.perf_counter())."""
    ACCESS.info(
        "%s %s %s",
        method,
        path,
        status,
        extra={
            "request_id": request_id,
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "remote_addr": remote_addr,
        },
    )


def register(app: Flask) -> None:
    """Give each request an id (kept from a proxy's X-Request-ID if sane) and log it as JSON."""

    @app.before_request
    def assign_request_id() -> None:
        g.request_id = request_id_for(request.headers.get(REQUEST_ID_HEADER))
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response: Response) -> Response:
        request_id = g.get("request_id")
        if request_id:
            response.headers[REQUEST_ID_HEADER] = request_id
            log_access(
                request_id,
                request.method,
                request.path,
                response.status_code,
                g.request_started,
                request.remote_addr,
            )
        return response

    if app.config.get("LOG_FORMAT") == "json":
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        for logger in (app.logger, ACCESS):
            logger.handlers[:] = [handler]
            logger.setLevel(logging.INFO)
            logger.propagate = False
