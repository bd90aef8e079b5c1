"""Writes to profiles, accommodations and support teams: one atomic, keyword-only function per
use case, each checking its input field by field (``checks.Errors``)."""
