"""pixazo: one command line over every Pixazo image model."""

__version__ = "0.1.0"
