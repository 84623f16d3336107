"""Meetings: the list, a meeting's page, adding and changing one (officers only), the rules a meeting
keeps (the quarter it reviews has ended by its date; a group's meeting names its group), and the
demo meetings."""

import datetime
import zoneinfo
from html import unescape

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from performance.models import Meeting
from tests.conftest import violates

LONDON = zoneinfo.ZoneInfo("Europe/London")

GOOD = {
    "kind": "executive",
    "delivery_group": "",
    "date": "28/01/2025",
    "quarter": "2024-Q3",
    "title": "",
    "notes": "Room 4",
}


def add_url(slug="test-2024-2027"):
    return f"{reverse('performance:meeting_add')}?strategy={slug}"


def test_an_officer_adds_a_meeting_and_it_is_listed(client, officer, viewer, plan):
    client.force_login(officer)
    response = client.post(add_url(), GOOD)
    meeting = Meeting.objects.get()
    assert response.url == reverse("performance:meeting_detail", args=[meeting.pk])
    assert (meeting.quarter.slug, meeting.date, meeting.notes, str(meeting)) == (
        "2024-Q3",
        datetime.date(2025, 1, 28),
        "Room 4",
        "Executive Group, 28 January 2025",
    )
    client.force_login(viewer)
    listing = client.get(reverse("performance:meeting_list")).content.decode()
    assert "Executive Group, 28 January 2025" in listing and "Add a meeting" not in listing
    # Named as the header's navigation names it.
    assert "<title>Meetings and packs – " in listing
    assert '<h1 class="govuk-heading-l">Meetings and packs</h1>' in listing
    page = client.get(reverse("performance:meeting_detail", args=[meeting.pk])).content.decode()
    assert "/review/test-2024-2027/2024-Q3/" in page and "Issue the pack" not in page


def test_the_list_of_one_strategy_and_another_partnerships_is_not_found(client, viewer, plan, elsewhere):
    Meeting.objects.create(
        strategy=plan["strategy"], kind="executive", date=datetime.date(2025, 1, 28), year=2024, number=3
    )
    client.force_login(viewer)
    listing = client.get(reverse("performance:meeting_list"), {"strategy": "test-2024-2027"})
    assert "Executive Group, 28 January 2025" in listing.content.decode()
    assert client.get(reverse("performance:meeting_list"), {"strategy": "elsewhere-2024"}).status_code == 404


def test_the_list_links_a_meeting_to_its_review_only_once_the_quarter_has_ended(client, viewer, plan):
    Meeting.objects.create(
        strategy=plan["strategy"], kind=Meeting.Kind.EXECUTIVE, date=datetime.date(2025, 1, 28), year=2024, number=3
    )
    with time_machine.travel(datetime.datetime(2024, 12, 10, 10, tzinfo=LONDON), tick=False):
        client.force_login(viewer)
        listing = client.get(reverse("performance:meeting_list")).content.decode()
    # The review of a quarter still running does not exist yet (its address is "not found").
    assert "/review/test-2024-2027/2024-Q3/" not in listing
    assert "Once 2024/25 Q3 ends (31 December 2024)" in listing
    with time_machine.travel(datetime.datetime(2025, 1, 2, 10, tzinfo=LONDON), tick=False):
        client.force_login(viewer)
        listing = client.get(reverse("performance:meeting_list")).content.decode()
    assert '<a class="govuk-link" href="/review/test-2024-2027/2024-Q3/">Review of 2024/25 Q3' in listing


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"date": "01/12/2024"}, "quarter", "cannot review 2024/25 Q3: that quarter ends on 31/12/2024"),
        ({"date": "31/02/2025"}, "date", "Enter a valid date"),
        ({"quarter": "2030-Q1"}, "quarter", "Choose a quarter of the strategy"),
        ({"kind": "delivery_group"}, "delivery_group", "Choose the delivery group whose meeting this is"),
        ({"delivery_group": "VICTIM"}, "delivery_group", "Choose one of the strategy's delivery groups"),
    ],
)
def test_bad_input_is_refused_with_a_message_keeping_what_was_typed(change, field, message, client, officer, plan):
    client.force_login(officer)
    response = client.post(add_url(), {**GOOD, **change})
    assert response.status_code == 200
    assert message in unescape(response.content.decode())
    assert field in response.context["form"].errors
    assert response.context["form"]["notes"].value() == "Room 4"
    assert not Meeting.objects.exists()


def test_a_group_meeting_names_its_group_and_a_second_on_the_same_day_is_refused(client, officer, plan):
    client.force_login(officer)
    data = {**GOOD, "kind": "delivery_group", "delivery_group": str(plan["victim"].pk)}
    client.post(add_url(), data)
    assert str(Meeting.objects.get()) == "Victim delivery group, 28 January 2025"
    response = client.post(add_url(), data)
    assert "There is a problem" in response.content.decode()
    assert Meeting.objects.count() == 1


def test_the_database_refuses_an_incoherent_meeting(plan):
    with (
        pytest.raises(IntegrityError, match=violates(Meeting, "meeting_group_only_for_group_meetings")),
        transaction.atomic(),
    ):
        Meeting.objects.create(strategy=plan["strategy"], kind="delivery_group", date="2025-01-28", year=2024, number=3)
    with pytest.raises(IntegrityError, match=violates(Meeting, "meeting_quarter_1_4")), transaction.atomic():
        Meeting.objects.create(strategy=plan["strategy"], date="2025-01-28", year=2024, number=5)
    with pytest.raises(ValidationError):
        Meeting(strategy=plan["strategy"], date=datetime.date(2025, 1, 28), year=2025, number=1).full_clean()


def test_an_officer_changes_a_meeting(client, officer, plan):
    meeting = Meeting.objects.create(strategy=plan["strategy"], date="2025-01-28", year=2024, number=3)
    client.force_login(officer)
    response = client.post(reverse("performance:meeting_edit", args=[meeting.pk]), {**GOOD, "title": "Extraordinary"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.name == "Extraordinary"


def test_only_officers_manage_meetings(client, executive, chair, plan):
    meeting = Meeting.objects.create(strategy=plan["strategy"], date="2025-01-28", year=2024, number=3)
    for user in (executive, chair):
        client.force_login(user)
        assert client.get(add_url()).status_code == 403
        assert client.post(add_url(), GOOD).status_code == 403
        assert client.post(reverse("performance:meeting_edit", args=[meeting.pk]), GOOD).status_code == 403
    assert Meeting.objects.count() == 1


def test_a_sensitive_groups_meeting_is_hidden_from_those_not_cleared(client, viewer, executive, plan):
    meeting = Meeting.objects.create(
        strategy=plan["strategy"],
        kind="delivery_group",
        delivery_group=plan["contest"],
        date="2025-01-28",
        year=2024,
        number=3,
    )
    client.force_login(viewer)
    assert client.get(reverse("performance:meeting_detail", args=[meeting.pk])).status_code == 404
    assert "CONTEST" not in client.get(reverse("performance:meeting_list")).content.decode()
    client.force_login(executive)
    assert client.get(reverse("performance:meeting_detail", args=[meeting.pk])).status_code == 200


@pytest.mark.parametrize("count", [3, 40])
def test_the_meeting_list_costs_the_same_at_any_size(count, client, viewer, plan, django_assert_num_queries):
    for n in range(count):
        Meeting.objects.create(
            strategy=plan["strategy"], date=datetime.date(2025, 1, 1) + datetime.timedelta(days=n), year=2024, number=3
        )
    client.force_login(viewer)
    # session, user, membership, strategies, meetings (with strategy and group)
    with django_assert_num_queries(5):
        response = client.get(reverse("performance:meeting_list"))
    assert response.content.decode().count("/review/test-2024-2027/2024-Q3/") == count
