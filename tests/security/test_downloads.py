"""Every download is sent with `Cache-Control: no-store, private`, whatever view makes it.

The downloads are found, not listed by hand: every address of the security matrix an officer can
open is fetched, and each response sent as an attachment is checked. The set found is asserted too,
so a download that stops being one (or a new one) is noticed here.
"""

from django.test import Client
from django.utils.cache import get_max_age

from tests.security.test_matrix import ROWS

DOWNLOADS = {
    "actions:action_list_csv",
    "actions:action_list_xlsx",
    "actions:plan_export",
    "evidence:crime_counts_csv",
    "performance:annual_report_file",
    "performance:decision_list_csv",
    "performance:decision_list_xlsx",
    "performance:pack_download",
    "performance:pack_file",
    "strategy:audit_log_csv",
}


def test_every_download_is_kept_by_no_cache(world, users, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client = Client()
    client.force_login(users["officer"])
    found = {}
    for name, url, get, _ in ROWS:
        if get["officer"] != 200:
            continue
        response = client.get(url.format(**world["ids"]))
        assert response.status_code == 200, url
        if response.get("Content-Disposition", "").startswith("attachment"):
            found[url] = (name, sorted(part.strip() for part in response["Cache-Control"].split(",")))
            assert get_max_age(response) is None, url
    assert {name for name, _ in found.values()} == DOWNLOADS
    assert {url: directives for url, (_, directives) in found.items() if directives != ["no-store", "private"]} == {}


def test_pages_are_not_marked_as_downloads(client, officer, plan):
    client.force_login(officer)
    response = client.get("/actions/?strategy=test-2024-2027")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
