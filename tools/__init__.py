"""Build tooling kept out of the installed package."""
