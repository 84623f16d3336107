from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class StrategyConfig(AppConfig):
    default = True
    name = "strategy"
    verbose_name = "Partnership and strategy"

    def ready(self):
        from strategy import sessions  # noqa: F401 - connects the session's keep-alive at sign-in


class SwpAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "strategy.sites.SwpAdminSite"
