"""Conferences' reads: the staff's (``staff``) and the families' (``family``)."""
