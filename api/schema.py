"""The OpenAPI schema's account of API keys (drf-spectacular reads this extension by its class path)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class APIKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.APIKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Send `Authorization: Api-Key <key>` (the word Api-Key, a space, then the key an officer "
            "made on the API keys page). Without it you get the public data only.",
        }
