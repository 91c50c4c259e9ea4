"""warroom: a terminal war room for live incidents."""

__version__ = "0.1.0"
