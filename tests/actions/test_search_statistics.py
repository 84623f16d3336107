"""On PostgreSQL the action list's text search has statistics to plan by (migration 0007)."""

import pytest
from django.db import connection


@pytest.mark.django_db
def test_the_searched_texts_have_expression_statistics_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("extended statistics are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT stxname FROM pg_statistic_ext")
        names = {row[0] for row in cursor.fetchall()}
    assert {
        "actions_action_text_upper_stats",
        "actions_action_kpi_upper_stats",
        "actions_update_commentary_upper_stats",
    } <= names


@pytest.mark.django_db
def test_postgresql_connections_run_without_jit():
    if connection.vendor != "postgresql":
        pytest.skip("JIT is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
