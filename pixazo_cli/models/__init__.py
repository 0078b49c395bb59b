"""The model table (what differs between models, as data) and building requests from it."""
