"""The config file and the API key."""
