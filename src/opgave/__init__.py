"""opgave: steering a national housing and urbanisation programme."""

__version__ = "0.1.0"
