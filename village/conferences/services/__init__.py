"""Conferences' writes: rounds, slots and bookings, each a typed, keyword-only, atomic function
(``rounds``, ``slots``, ``bookings``)."""
