from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "performance"
    verbose_name = "Performance and review"

    def ready(self):
        # Closed update rounds lock their quarters: the actions app asks through quarter_locks,
        # since it may not import what is built on it.
        from actions.models import quarter_locks
        from performance import rounds

        quarter_locks.install(
            is_locked=rounds.is_locked, locked_quarters=rounds.locked_quarters, collecting=rounds.collecting
        )
