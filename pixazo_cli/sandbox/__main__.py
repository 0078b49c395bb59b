"""`python -m pixazo_cli.sandbox`: run the sandbox in the foreground."""

from __future__ import annotations

import argparse
import sys

from .faults import parse_fault
from .options import SandboxOptions
from .server import serve_forever


def build_parser() -> argparse.ArgumentParser:
    defaults = SandboxOptions()
    parser = argparse.ArgumentParser(
        prog="python -m pixazo_cli.sandbox",
        description="An offline stand-in for the Pixazo gateway that makes placeholder images.",
    )
    parser.add_argument("--host", default=defaults.host)
    parser.add_argument("--port", type=int, default=defaults.port, help="0 picks a free port")
    parser.add_argument("--key", help="accept only this subscription key (default: any)")
    parser.add_argument(
        "--latency", type=float, default=defaults.latency, help="seconds a job takes"
    )
    parser.add_argument("--balance", type=int, help="images to make before answering 402")
    parser.add_argument(
        "--rate-limit", type=int, default=defaults.rate_limit, help="model POSTs/minute; 0 = off"
    )
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="SPEC",
        type=_fault_spec,
        help="WHERE:WHAT[=VALUE][*N], e.g. submit:503*2 (repeatable)",
    )
    parser.add_argument("--quiet", action="store_true", help="no request log on stderr")
    return parser


def _fault_spec(text: str) -> str:
    try:
        parse_fault(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    options = SandboxOptions(
        host=args.host,
        port=args.port,
        key=args.key,
        latency=args.latency,
        balance=args.balance,
        rate_limit=args.rate_limit,
        faults=args.fault,
        quiet=args.quiet,
    )
    try:
        serve_forever(options)
    except OSError as exc:
        print(f"pixazo sandbox: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
