"""Hypothesis profiles for the fuzz tests: short by default (CI), `--hypothesis-profile=thorough` for long runs."""

from hypothesis import HealthCheck, settings

# The fuzz tests run imports against the database: slow examples are expected, never a failure,
# and the database fixtures are function-scoped on purpose (each test checks counts per example).
_COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    "print_blob": True,
}
settings.register_profile("swp", max_examples=60, **_COMMON)
settings.register_profile("thorough", max_examples=2000, **_COMMON)


def pytest_configure(config):
    settings.load_profile(config.getoption("hypothesis_profile", None) or "swp")
