"""Conferences' pages: the staff's (``staff``) and the families' (``family``)."""
