"""Reads of profiles and accommodations for pages and the API, in a constant number of
queries."""
