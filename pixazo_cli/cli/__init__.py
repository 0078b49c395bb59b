"""The command line: typer options and commands. The only package that imports typer."""
