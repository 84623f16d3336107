from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API"

    def ready(self):
        # The OpenAPI schema's description of the Api-Key header (drf-spectacular finds it once imported).
        from api import schema  # noqa: F401
