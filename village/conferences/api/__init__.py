"""Conferences in the JSON API, at ``/api/v1/conferences`` (``router``)."""
