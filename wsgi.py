"""The WSGI entry point: the only module that builds an app at import time. A setting
Parley cannot run with (config.ConfigError) ends the process with one line naming it."""

from blogapp import ConfigError, create_app

try:
    app = create_app()
except ConfigError as error:
    raise SystemExit(str(error)) from None
