"""The API's browsable docs: Swagger UI from the vendored sidecar files, under the site's content
security policy (nothing inline: the page's start-up script is its own request, ?script)."""

from drf_spectacular.views import SpectacularSwaggerSplitView


class APIDocsView(SpectacularSwaggerSplitView):
    template_name = "api/docs.html"
    title = "API documentation"
