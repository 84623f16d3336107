"""Fixtures for the security suite: two-factor sign-in turned on, verified sessions, TOTP codes.

The rest of the suite runs with TWO_FACTOR_REQUIRED off (pyproject.toml); tests here turn it on
with the `two_factor` fixture. `verified(client, user)` signs a user in as if they had passed the
second factor, so a test can reach the pages behind it.
"""

import time

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


@pytest.fixture
def two_factor(settings):
    settings.TWO_FACTOR_REQUIRED = True
    return settings


def totp_code(device, at=None):
    """The code an authenticator app would show now for `device` (as a phone computes it)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = at if at is not None else time.time()
    return f"{totp.token():0{device.digits}d}"


def confirmed_device(user):
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def verified(client, user):
    """Sign `user` in with a confirmed authenticator app, as having passed the second factor."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or confirmed_device(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def world(plan, elsewhere, users):
    """Both partnerships' data side by side, one of each kind of object a URL can name.

    In `plan` (Test CSP) and in `elsewhere`: an indicator with a value, one computed from crime data,
    an import of each kind (police.uk's too), an update round, a meeting with an issued pack, a pack
    issued without a meeting, an update waiting for sign-off; in `plan` also what the
    OFFICIAL-SENSITIVE marking hides (an indicator, a CONTEST meeting, a pack of each kind, a decision
    about a CONTEST action).
    Keys name the objects; `ids` has their primary keys for URL templates.
    """
    import datetime
    from decimal import Decimal

    from actions.models import ActionPlanImport, Update
    from api.models import PartnerAPIKey
    from evidence.models import CrimeIndicator, PoliceDataImport
    from performance.indicators import Period
    from performance.models import Challenge, Indicator, IndicatorValueImport, Meeting, MeetingPack, UpdateRound
    from strategy.models import Marking

    # Test CSP's strategy is published (its public pages are open to all); the other's is not.
    type(plan["strategy"]).objects.filter(pk=plan["strategy"].pk).update(published=True)
    rows = {}
    for side, strategy, action, author in (
        ("", plan["strategy"], plan["v1_1"], users["lead"]),
        ("x_", elsewhere["strategy"], elsewhere["action"], users["outsider"]),
    ):
        indicator = Indicator.objects.create(strategy=strategy, ref="KPI-1", name="Repeat victims")
        rows[f"{side}value"] = indicator.record_value(period=Period.of_quarter_text("2024/25 Q1"), value=Decimal(5))
        rows[f"{side}indicator"] = indicator
        computed = Indicator.objects.create(
            strategy=strategy, ref="KPI-C", name="All crime", computed_from=Indicator.ComputedFrom.CRIME_DATA
        )
        CrimeIndicator.objects.create(indicator=computed)
        rows[f"{side}crime_indicator"] = computed
        rows[f"{side}import"] = ActionPlanImport.objects.create(
            strategy=strategy, file_name="plan.xlsx", file_size=1, file_sha256="0" * 64
        )
        rows[f"{side}police_import"] = PoliceDataImport.objects.create(
            partnership=strategy.partnership, file_name="police.zip", file_size=1, file_sha256="0" * 64
        )
        rows[f"{side}value_import"] = IndicatorValueImport.objects.create(
            strategy=strategy, file_name="values.xlsx", file_size=1, file_sha256="0" * 64
        )
        rows[f"{side}round"] = UpdateRound.objects.create(
            strategy=strategy, year=2026, number=3, deadline=datetime.date(2026, 12, 31)
        )
        meeting = Meeting.objects.create(strategy=strategy, date=datetime.date(2024, 7, 20), year=2024, number=1)
        rows[f"{side}meeting"] = meeting
        rows[f"{side}pack"] = MeetingPack.objects.create(
            meeting=meeting,
            year=2024,
            number=1,
            state=MeetingPack.State.ISSUED,
            finished_at=meeting.created_at,
            pdf_content=b"%PDF-1.7",
            pdf_sha256="1" * 64,
            xlsx_content=b"PK",
            xlsx_sha256="2" * 64,
        )
        rows[f"{side}quarter_pack"] = MeetingPack.objects.create(  # issued from the review, without a meeting
            strategy=strategy,
            year=2024,
            number=1,
            state=MeetingPack.State.ISSUED,
            finished_at=meeting.created_at,
            pdf_content=b"%PDF-1.7",
            pdf_sha256="3" * 64,
            xlsx_content=b"PK",
            xlsx_sha256="4" * 64,
        )
        rows[f"{side}decision"] = Challenge.objects.create(
            meeting=meeting,
            kind=Challenge.Kind.DECISION,
            state=Challenge.State.OPEN,
            text="Report back to the next meeting.",
            owner_person=plan["lena"] if not side else None,
            due_date=datetime.date(2024, 10, 1),
        )
        rows[f"{side}submitted"] = Update.objects.create(
            action=action,
            status="in_progress",
            rag="green",
            progress=5,
            review_state=Update.ReviewState.SUBMITTED,
            created_by=author,
        )
        rows[f"{side}api_key"] = PartnerAPIKey.objects.create_key(
            partnership=strategy.partnership, name="Council Power BI", clearance=Marking.OFFICIAL_SENSITIVE
        )[0]
    rows["indicator"].owners.add(plan["lena"])
    rows["sensitive_indicator"] = Indicator.objects.create(
        strategy=plan["strategy"], ref="KPI-S", name="Prevent referrals", marking=Marking.OFFICIAL_SENSITIVE
    )
    # What a marking hides: a meeting of the OFFICIAL-SENSITIVE CONTEST group, an OFFICIAL-SENSITIVE
    # pack of the ordinary meeting and one issued from the review, a decision about a CONTEST action.
    rows["sensitive_meeting"] = Meeting.objects.create(
        strategy=plan["strategy"],
        kind=Meeting.Kind.DELIVERY_GROUP,
        delivery_group=plan["contest"],
        date=datetime.date(2024, 7, 22),
        year=2024,
        number=1,
    )
    for key, place in (("sensitive_pack", {"meeting": rows["meeting"]}), ("sensitive_quarter_pack", {})):
        rows[key] = MeetingPack.objects.create(
            **(place or {"strategy": plan["strategy"]}),
            year=2024,
            number=1,
            state=MeetingPack.State.ISSUED,
            finished_at=rows["meeting"].created_at,
            marking=Marking.OFFICIAL_SENSITIVE,
            pdf_content=b"%PDF-1.7",
            pdf_sha256="5" * 64,
            xlsx_content=b"PK",
            xlsx_sha256="6" * 64,
        )
    rows["sensitive_decision"] = Challenge.objects.create(
        meeting=rows["meeting"],
        kind=Challenge.Kind.DECISION,
        state=Challenge.State.OPEN,
        action=plan["c1_1"],
        text="Review the venue's security.",
    )
    rows["ids"] = {key: value.pk for key, value in rows.items() if hasattr(value, "pk")}
    rows["ids"].update(
        v1_1=plan["v1_1"].pk,
        c1_1=plan["c1_1"].pk,
        x1_1=elsewhere["action"].pk,
        partnership=plan["partnership"].pk,
        x_partnership=elsewhere["partnership"].pk,
        strategy=plan["strategy"].pk,
        x_strategy=elsewhere["strategy"].pk,
        group=plan["victim"].pk,
        x_group=elsewhere["action"].objective.delivery_group_id,
        objective=plan["v1"].pk,
        x_objective=elsewhere["action"].objective_id,
        api_key=rows["api_key"].prefix,
        x_api_key=rows["x_api_key"].prefix,
        uid=users["viewer"].pk,
        x_uid=users["outsider"].pk,
    )
    return rows
