"""Learning goals in the JSON API, at ``/api/v1/goals`` (``village.goals.api.router``)."""
