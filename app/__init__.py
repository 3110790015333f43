"""Glossa: a folder of Markdown study notes as a searchable, cross-linked site and JSON API."""

__version__ = "0.1.0"
