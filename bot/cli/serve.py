"""`coachbot serve`: the Slack app, over Socket Mode or, in production, HTTP."""

from __future__ import annotations

import argparse

from bot.cli.common import Subcommands
from bot.config import Settings
from bot.logs import configure_logging


def add_serve(commands: Subcommands) -> None:
    serve = commands.add_parser("serve", help="run the Slack app (Socket Mode, or --http)")
    serve.add_argument("--http", action="store_true", help="HTTP endpoint for production")
    serve.add_argument("--host", default="127.0.0.1", help="HTTP bind address (127.0.0.1)")
    serve.add_argument("--port", type=int, default=3000, help="HTTP port (3000)")
    serve.add_argument("--workers", type=int, default=2, help="HTTP worker processes (2)")
    serve.add_argument("--threads", type=int, default=8, help="threads per worker (8)")
    serve.set_defaults(handler=run_serve)


def run_serve(args: argparse.Namespace, settings: Settings) -> int:
    import logging

    from bot.serve import serve_http, serve_socket_mode

    configure_logging(logging.INFO)
    if args.http:
        serve_http(settings, args.host, args.port, args.workers, args.threads)
    else:
        serve_socket_mode(settings)
    return 0
