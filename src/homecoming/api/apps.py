from django.apps import AppConfig


class ApiConfig(AppConfig):
    """One versioned API, /api/v1/, over the services of every app."""

    name = "homecoming.api"
    label = "api"
