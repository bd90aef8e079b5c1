"""Student profiles in the JSON API, at ``/api/v1/support`` (``village.support.api.router``)."""
