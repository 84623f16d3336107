from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API"

    def ready(self):
        # Imported here, once the app registry is ready: models (and what reads them) cannot be
        # imported while it is being filled.
        # The OpenAPI schema's description of the Api-Key header (drf-spectacular finds it once imported).
        from django.contrib import admin
        from rest_framework_api_key.models import APIKey

        from api import schema  # noqa: F401

        # The library registers its own (unused, unscoped) key model in the back office; keys are
        # made and revoked on the officers' API keys page, scoped to their partnership, instead.
        if admin.site.is_registered(APIKey):
            admin.site.unregister(APIKey)
