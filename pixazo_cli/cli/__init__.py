"""The command line: typer options and commands. The only package that imports typer.

Its modules do not use `from __future__ import annotations`: typer reads every command's
annotations, and as strings it would have to eval each of them at every start-up (about
15 ms for --help and for each completion request)."""
