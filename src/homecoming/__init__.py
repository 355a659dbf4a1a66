"""Homecoming: register, exchanges and aftercare for a coordination headquarters for prisoners of war."""

__version__ = "0.1.0"
