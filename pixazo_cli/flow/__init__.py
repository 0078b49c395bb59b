"""The generation flow every model shares: send, wait, download, save, and its events."""
