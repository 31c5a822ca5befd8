"""Beffroi: self-hostable moderation for communities and public institutions."""

__version__ = "0.1.0"
