"""The pages around sign-in, the footer pages and the error pages, through the test client.

Every page here is checked for the Content Security Policy header and for inline script or style,
which that policy would block.
"""

import re
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.http import HttpRequest
from django.test import Client
from django.urls import path

from swp.urls import urlpatterns as site_urlpatterns
from tests.conftest import PASSWORD


def forbidden(request):
    raise PermissionDenied


def broken(request):
    raise RuntimeError("something went wrong")


# The site's URLs plus two that fail on purpose, for the 403 and 500 pages.
urlpatterns = [path("test/forbidden/", forbidden), path("test/broken/", broken), *site_urlpatterns]
pytestmark = pytest.mark.urls(__name__)


class InlineCode(HTMLParser):
    """Collects what a strict CSP would block: <script> without src, <style>, style= and on*= attributes."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style>")
        for name in names:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")


def assert_strict(response):
    """The CSP header is there and allows nothing inline, and the page has nothing inline."""
    policy = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    parser = InlineCode()
    parser.feed(response.content.decode())
    assert parser.found == []


def text(response):
    """The page's text with tags and runs of white space collapsed, for plain `in` checks."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


# Footer pages --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_accessibility_statement_is_public_and_names_the_council(client, settings):
    settings.ACCESSIBILITY_ORGANISATION = "Borsetshire County Council"
    settings.ACCESSIBILITY_CONTACT_EMAIL = "access@borsetshire.example"
    settings.ACCESSIBILITY_CONTACT_PHONE = "01234 567890"
    settings.ACCESSIBILITY_STATEMENT_DATE = "1 April 2026"
    settings.ACCESSIBILITY_REVIEWED_DATE = "2 May 2026"
    settings.ACCESSIBILITY_TESTED_DATE = "3 March 2026"
    settings.ACCESSIBILITY_COMPLIANCE = "partially"

    response = client.get("/accessibility/")

    assert response.status_code == 200
    page = text(response)
    assert "This website is run by Borsetshire County Council" in page
    assert "mailto:access@borsetshire.example" in response.content.decode()
    assert "01234 567890" in page
    assert "prepared on 1 April 2026" in page
    assert "last reviewed on 2 May 2026" in page
    assert "last tested on 3 March 2026" in page
    assert "partially compliant with the Web Content Accessibility Guidelines version 2.2" in page
    assert "Non-accessible content" in page
    assert "2.2.1 (Timing adjustable)" in page
    assert "Enforcement procedure" in page
    assert_strict(response)


@pytest.mark.django_db
def test_a_fully_compliant_statement_lists_no_problems(client, settings):
    settings.ACCESSIBILITY_COMPLIANCE = "fully"

    page = text(client.get("/accessibility/"))

    assert "This website is fully compliant" in page
    assert "Non-accessible content" not in page


@pytest.mark.django_db
def test_privacy_notice_is_public_and_names_the_controller(client, settings):
    settings.PRIVACY_CONTROLLER = "Borsetshire County Council"
    settings.PRIVACY_CONTACT_EMAIL = "privacy@borsetshire.example"
    settings.PRIVACY_DPO_EMAIL = "dpo@borsetshire.example"
    settings.PRIVACY_RETENTION_YEARS = 7

    response = client.get("/privacy/")

    assert response.status_code == 200
    page = text(response)
    assert "Borsetshire County Council is the data controller" in page
    assert "mailto:privacy@borsetshire.example" in response.content.decode()
    assert "mailto:dpo@borsetshire.example" in response.content.decode()
    assert "for 7 years after it ends" in page
    assert "Crime and Disorder Act 1998" in page
    assert "public task" in page
    assert "no case information about victims, offenders" in page
    assert_strict(response)


@pytest.mark.django_db
def test_footer_links_to_both_notices_and_shows_no_crown(client):
    response = client.get("/accounts/login/")

    content = response.content.decode()
    assert 'href="/accessibility/"' in content
    assert 'href="/privacy/"' in content
    assert "crown" not in content.lower()
    assert "GOV.UK" not in content


@pytest.mark.django_db
def test_signed_in_header_names_the_partnership_and_the_sections(client, officer):
    client.force_login(officer)

    response = client.get("/privacy/")

    content = response.content.decode()
    assert "Test Community Safety Partnership" in content
    for href in ["/strategies/", "/actions/", "/imports/", "/rounds/", "/meetings/", "/indicators/", "/admin/"]:
        assert f'href="{href}"' in content
    assert 'action="/accounts/logout/"' in content
    assert "Sign out" in content
    assert_strict(response)


@pytest.mark.django_db
def test_signed_out_header_has_no_navigation(client, settings):
    settings.SITE_ORGANISATION = "Borsetshire Community Safety Partnership"
    settings.SITE_NAME = "Borsetshire action plans"

    response = client.get("/privacy/")

    content = response.content.decode()
    assert "Borsetshire Community Safety Partnership" in content
    assert "<title>Privacy notice – Borsetshire action plans</title>" in content
    assert 'aria-label="Menu"' not in content
    assert "Sign out" not in content


# Sign-in ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_login_page(client):
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    assert '<h1 class="govuk-heading-l">Sign in</h1>' in response.content.decode()
    assert "There is a problem" not in response.content.decode()
    assert_strict(response)


@pytest.mark.parametrize("username", ["officer", "nobody"])
def test_failed_sign_in_says_the_same_whether_or_not_the_username_exists(client, officer, username):
    response = client.post("/accounts/login/", {"username": username, "password": "wrong-password-here"})

    assert response.status_code == 200
    content = response.content.decode()
    assert "There is a problem" in content
    assert '<a href="#id_username">Please enter a correct username and password.' in content
    assert "<title>Error: Sign in" in content
    assert_strict(response)


def test_sign_in_and_out(client, officer):
    response = client.post("/accounts/login/", {"username": "officer", "password": PASSWORD, "next": "/privacy/"})
    assert response.status_code == 302
    assert response.url == "/privacy/"

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/accounts/password_change/").status_code == 302


def test_logged_out_page(client, officer, settings):
    settings.LOGOUT_REDIRECT_URL = None
    client.force_login(officer)

    response = client.post("/accounts/logout/")

    assert response.status_code == 200
    assert "You have signed out" in response.content.decode()
    assert_strict(response)


def test_password_change(client, officer):
    client.force_login(officer)
    response = client.get("/accounts/password_change/")
    assert response.status_code == 200
    assert_strict(response)

    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-longer-new-passphrase",
            "new_password2": "a-longer-new-passphrase",
        },
        follow=True,
    )

    assert response.redirect_chain[-1][0] == "/accounts/password_change/done/"
    assert "Your password has been changed" in response.content.decode()
    assert_strict(response)


def test_password_change_errors_link_to_their_fields(client, officer):
    client.force_login(officer)

    response = client.post(
        "/accounts/password_change/", {"old_password": "", "new_password1": "a", "new_password2": "b"}
    )

    content = response.content.decode()
    assert '<a href="#id_old_password">Enter old password</a>' in content
    assert '<a href="#id_new_password2">' in content
    assert 'aria-describedby="id_old_password_error"' in content
    assert_strict(response)


# Password reset --------------------------------------------------------------------------------


def test_password_reset_sends_a_link_to_a_known_address(client, officer, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_NAME = "Borsetshire action plans"
    settings.SITE_URL = "https://actions.borsetshire.example"
    response = client.get("/accounts/password_reset/")
    assert response.status_code == 200
    assert_strict(response)

    response = client.post("/accounts/password_reset/", {"email": "officer@example.org"}, follow=True)

    assert response.redirect_chain[-1][0] == "/accounts/password_reset/done/"
    assert "Check your email" in response.content.decode()
    assert_strict(response)
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["officer@example.org"]
    assert email.subject == "Reset your password for Borsetshire action plans"
    assert "Your username is: officer" in email.body
    assert "&#x27;" not in email.body
    assert "&amp;" not in email.body  # plain text, not escaped HTML
    link = re.search(r"https://actions\.borsetshire\.example(/accounts/reset/\S+/)", email.body).group(1)

    response = client.get(link, follow=True)
    assert "Choose a new password" in response.content.decode()
    assert_strict(response)
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "a-longer-new-passphrase", "new_password2": "a-longer-new-passphrase"},
        follow=True,
    )
    assert "Your new password is saved" in response.content.decode()
    assert_strict(response)
    # django-axes needs the request that authenticate() is given (its documented test set-up).
    assert client.login(request=HttpRequest(), username="officer", password="a-longer-new-passphrase")


def test_password_reset_for_an_unknown_address_looks_the_same(client, officer, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    known = client.post("/accounts/password_reset/", {"email": "officer@example.org"}, follow=True)

    unknown = client.post("/accounts/password_reset/", {"email": "nobody@example.org"}, follow=True)

    assert unknown.redirect_chain == known.redirect_chain
    assert unknown.content == known.content
    assert [email.to for email in mail.outbox] == [["officer@example.org"]]


@pytest.mark.django_db
def test_a_broken_reset_link_says_so(client):
    response = client.get("/accounts/reset/MQ/not-a-token/")

    assert response.status_code == 200
    assert "This link does not work" in response.content.decode()
    assert_strict(response)


# Error pages -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_404_page(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert_strict(response)


@pytest.mark.django_db
def test_403_page_says_who_to_ask(client, officer):
    response = client.get("/test/forbidden/")
    assert response.status_code == 403
    assert "You need to sign in first" in text(response)
    assert_strict(response)

    client.force_login(officer)
    response = client.get("/test/forbidden/")
    assert response.status_code == 403
    page = text(response)
    assert "You do not have permission to see this page" in page
    assert "ask an officer of your partnership" in page
    assert_strict(response)


@pytest.mark.django_db
def test_500_page_stands_alone(client, django_assert_num_queries, settings):
    settings.SITE_NAME = "Borsetshire action plans"
    client.raise_request_exception = False

    # No query: the database may be what failed.
    with django_assert_num_queries(0):
        response = client.get("/test/broken/")

    assert response.status_code == 500
    content = response.content.decode()
    assert "Sorry, there is a problem with the service" in content
    assert "Borsetshire action plans" in content
    assert "Traceback" not in content and "RuntimeError" not in content
    assert_strict(response)


@pytest.mark.django_db
def test_400_page(client, settings):
    settings.ALLOWED_HOSTS = ["testserver"]

    response = client.get("/privacy/", headers={"host": "not-allowed.example"})

    assert response.status_code == 400
    assert "there is a problem with your request" in response.content.decode()
    assert_strict(response)


@pytest.mark.django_db
def test_csrf_failure_page(officer):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/accounts/login/", {"username": "officer", "password": PASSWORD})

    assert response.status_code == 403
    assert "Your form could not be sent" in response.content.decode()
    assert_strict(response)


# Static files ----------------------------------------------------------------------------------


def test_collectstatic_with_the_manifest_storage(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "strategy.storage.ManifestStaticFilesStorage"},
    }

    call_command("collectstatic", interactive=False, verbosity=0)

    app_js = next((tmp_path / "js").glob("app.*.js"))
    imported = re.search(r'from "\.\./vendor/govuk-frontend/([^"]+)"', app_js.read_text()).group(1)
    assert re.fullmatch(r"govuk-frontend\.min\.[0-9a-f]{12}\.js", imported)
    assert (tmp_path / "vendor" / "govuk-frontend" / imported).exists()


def test_vendored_css_ships_no_gov_uk_font_or_crest():
    from django.conf import settings

    css = (settings.BASE_DIR / "static/vendor/govuk-frontend/govuk-frontend.min.css").read_text()
    assert "GDS Transport" not in css
    assert "govuk-crest" not in css
    assert "url(" not in css  # nothing to fetch, from here or anywhere else
