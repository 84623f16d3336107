"""The e-mail settings page, the footer's unsubscribe link (without signing in), and the Follow button."""

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from actions.models import RAG, Status
from notifications.models import Follow, Frequency, Kind, Preference
from notifications.services import UNSUBSCRIBE_SALT, preference_set, unsubscribe_token
from tests.notifications.conftest import inbox, send

pytestmark = pytest.mark.django_db

CHECKED_DIGEST = 'name="sign_off" value="digest" class="govuk-radios__input" id="id_sign_off_1" checked'


# The settings page -----------------------------------------------------------------------------------


def test_the_settings_page_shows_each_kind_with_its_default(client, lead, django_assert_num_queries):
    client.force_login(lead)
    # session, user, the preferences, the membership (navigation), the actions followed
    with django_assert_num_queries(5):
        page = client.get(reverse("notifications:preferences")).content.decode()
    assert "E-mails go to lead@example.org." in page
    assert CHECKED_DIGEST in page
    assert page.count('type="radio"') == 3 * len(Kind)
    assert "Weekly digest" in page and "Daily digest" in page


def test_saving_changes_only_what_was_changed(client, lead):
    client.force_login(lead)
    data = {kind.value: "at_once" for kind in Kind}
    data[Kind.FOLLOWING] = "off"
    response = client.post(reverse("notifications:preferences"), data, follow=True)
    assert "Your e-mail settings have been saved." in response.content.decode()
    assert Preference.objects.frequencies(lead) == {**dict.fromkeys(Kind, "at_once"), Kind.FOLLOWING: "off"}
    assert set(Preference.objects.filter(user=lead).values_list("kind", flat=True)) == {"sign_off", "following"}


def test_a_bad_choice_is_a_clear_message_and_nothing_is_saved(client, lead):
    client.force_login(lead)
    response = client.post(reverse("notifications:preferences"), {"sign_off": "hourly"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose at once, daily digest or off" in page
    assert "Choose how to be told of your updates returned by the chair" in page
    assert not Preference.objects.exists()


def test_the_page_lists_only_followed_actions_the_user_may_still_see(client, viewer, plan):
    Follow.objects.create(user=viewer, action=plan["v1_1"])
    Follow.objects.create(user=viewer, action=plan["c1_1"])  # OFFICIAL-SENSITIVE: the viewer is cleared OFFICIAL
    client.force_login(viewer)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "V1.1" in page and "C1.1" not in page


# The unsubscribe link ---------------------------------------------------------------------------------


def test_the_link_asks_first_then_stops_only_that_kind_for_that_person_without_signing_in(
    smtp_server, signed_off, lead, chair
):
    signed_off["v1_1"].record_update(by=lead, status=Status.IN_PROGRESS, rag=RAG.RED, progress=5)
    preference_set(user=chair, kind=Kind.PACKS, frequency=Frequency.DIGEST)
    send()
    [mail] = inbox(smtp_server, "chair@example.org")
    link = mail.header("List-Unsubscribe")[1:-1].removeprefix("http://localhost:8000")
    anonymous = Client(enforce_csrf_checks=True)
    page = anonymous.get(link)
    assert page.status_code == 200
    assert "Stop e-mails for &ldquo;Updates waiting for your sign-off&rdquo;?" in page.content.decode()
    assert not Preference.objects.filter(kind=Kind.SIGN_OFF).exists()  # a mail scanner's GET changes nothing
    # A mail program's one-click button (RFC 8058): a POST with no CSRF token and no session.
    response = anonymous.post(link, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert (
        "You will no longer get e-mails for &ldquo;Updates waiting for your sign-off&rdquo;"
        in response.content.decode()
    )
    assert dict(Preference.objects.filter(user=chair).values_list("kind", "frequency")) == {
        "sign_off": "off",
        "packs": "digest",
    }
    assert Preference.objects.count() == 2
    send()
    assert len(inbox(smtp_server, "chair@example.org")) == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_bad_or_tampered_link_says_so_and_changes_nothing(client, chair, method):
    good = unsubscribe_token(chair, Kind.SIGN_OFF)
    tampered = good[:-3] + ("abc" if not good.endswith("abc") else "xyz")
    other_kind = signing.dumps([chair.pk, "everything"], salt=UNSUBSCRIBE_SALT)
    wrong_salt = signing.dumps([chair.pk, "sign_off"])
    nobody = signing.dumps([99999, "sign_off"], salt=UNSUBSCRIBE_SALT)
    for token in ("not-a-token", tampered, other_kind, wrong_salt, nobody, good.replace(":", "")):
        response = getattr(client, method)(reverse("notifications:unsubscribe", args=[token]))
        assert response.status_code == 400, token
        assert "This link does not work" in response.content.decode()
    assert not Preference.objects.exists()


# Following an action ---------------------------------------------------------------------------------


def test_the_action_page_offers_follow_then_unfollow_without_javascript(client, viewer, plan):
    client.force_login(viewer)
    url = reverse("actions:action_detail", args=[plan["v1_1"].pk])
    page = client.get(url).content.decode()
    follow = reverse("notifications:follow", args=[plan["v1_1"].pk])
    assert f'<form method="post" action="{follow}">' in page and "csrfmiddlewaretoken" in page
    response = client.post(follow, follow=True)
    assert response.redirect_chain == [(url, 302)]
    page = response.content.decode()
    assert "You follow V1.1: a weekly e-mail tells you of its updates and decisions." in page
    assert f'action="{reverse("notifications:unfollow", args=[plan["v1_1"].pk])}"' in page
    client.post(follow)  # twice is still once
    assert Follow.objects.filter(user=viewer).count() == 1
    client.post(reverse("notifications:unfollow", args=[plan["v1_1"].pk]))
    assert not Follow.objects.exists()


def test_no_one_follows_what_they_may_not_see(client, viewer, outsider, plan):
    client.force_login(viewer)
    assert client.post(reverse("notifications:follow", args=[plan["c1_1"].pk])).status_code == 404
    client.force_login(outsider)
    assert client.post(reverse("notifications:follow", args=[plan["v1_1"].pk])).status_code == 404
    assert not Follow.objects.exists()
