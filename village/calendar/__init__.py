"""Calendar feeds for families, filled by the calendar sources apps register.

The standard library has a ``calendar`` module too: always import this app as
``village.calendar`` (absolute imports only).
"""
