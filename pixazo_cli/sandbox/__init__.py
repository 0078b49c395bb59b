"""An offline, faithful stand-in for the Pixazo gateway, for tests and for trying the CLI.

    with start(SandboxOptions(port=0, latency=0, quiet=True)) as sandbox:
        ...  # point a client at sandbox.base_url; inspect sandbox.stats()

Run it from a shell with `python -m pixazo_cli.sandbox --help`.
"""

from .options import SandboxOptions
from .server import Sandbox, serve_forever, start

__all__ = ["Sandbox", "SandboxOptions", "serve_forever", "start"]
