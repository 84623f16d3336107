"""The API (/api/v1/), its schema and docs, and the officers' API keys pages."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from api import docs, key_views, views

app_name = "api"

router = DefaultRouter()
router.include_format_suffixes = False
router.register("partnerships", views.PartnershipViewSet, basename="partnership")
router.register("strategies", views.StrategyViewSet, basename="strategy")
router.register("delivery-groups", views.DeliveryGroupViewSet, basename="delivery_group")
router.register("objectives", views.ObjectiveViewSet, basename="objective")
router.register("indicators", views.IndicatorViewSet, basename="indicator")
router.register("indicator-values", views.IndicatorValueViewSet, basename="indicator_value")

actions = views.ActionViewSet

urlpatterns = [
    path("api/v1/", include(router.urls)),
    path(
        "api/v1/strategies/<int:strategy_pk>/actions/",
        actions.as_view({"get": "list"}),
        name="action-list",
    ),
    path(
        "api/v1/strategies/<int:strategy_pk>/actions/<int:pk>/",
        actions.as_view({"get": "retrieve"}),
        name="action-detail",
    ),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", docs.APIDocsView.as_view(url_name="api:schema"), name="docs"),
    path("api-keys/", key_views.key_list, name="keys"),
    path("api-keys/<str:prefix>/revoke/", key_views.key_revoke, name="key_revoke"),
]
