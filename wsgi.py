"""The WSGI entry point: the only module that builds an app at import time."""

from blogapp import ConfigError, create_app

try:
    app = create_app()
except ConfigError as error:
    raise SystemExit(str(error)) from None
