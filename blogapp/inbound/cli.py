"""`flask mail inbound` (one message on standard input: Postfix's pipe, procmail) and
`flask mail lmtp` (a listener), added to the `flask mail` group.

Exit statuses are sysexits.h, which Postfix's pipe(8) understands: 0 when the message
was taken (published, ignored as automatic, or refused with a mail back), 65 when it
cannot be read (bounced), 67 when it is not for a reply address of this site (bounced,
"user unknown"), 75 when the database failed (the MTA keeps it and tries again).
"""

import sys
import threading

import click
from flask import current_app
from flask.cli import AppGroup

from blogapp.inbound.receive import EX_DATAERR, receive


@click.command("inbound")
@click.option(
    "--recipient",
    default=None,
    help="The address the message was delivered to (Postfix pipe: ${recipient}).",
)
def inbound_command(recipient: str | None) -> None:
    """Read one mail message on standard input and act on it as a reply."""
    limit = current_app.config["INBOUND_MAX_BYTES"]
    raw = sys.stdin.buffer.read(limit + 1)
    if len(raw) > limit:
        click.echo(f"Refused: the message is larger than {limit} bytes.", err=True)
        sys.exit(EX_DATAERR)
    result = receive(raw, recipient)
    click.echo(result.note, err=result.status != 0)
    sys.exit(result.status)


@click.command("lmtp")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8024, show_default=True, type=int)
def lmtp_command(host: str, port: int) -> None:
    """Listen for inbound replies by LMTP until stopped (Ctrl-C)."""
    from blogapp.inbound.lmtp import listener

    controller = listener(current_app._get_current_object(), host, port)
    controller.start()
    click.echo(f"Taking replies by LMTP on {host}:{port}. Ctrl-C stops.")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass  # Ctrl-C is how this command ends; the finally below stops the listener
    finally:
        controller.stop()


def register(group: AppGroup) -> None:
    """The inbound commands, in the `flask mail` group."""
    group.add_command(inbound_command)
    group.add_command(lmtp_command)
