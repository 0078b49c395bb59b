"""Generated documentation: the man page, the completion scripts and the README flag table,
all rendered from the app and the model table so they cannot drift from the code."""
