"""Every page, with every role and method: the outcome each must get.

One table, read as: for this URL and method, this role gets this status. 302 for anonymous users means
"sent to sign in"; 404 means the thing is hidden (another partnership's, or above the user's clearance).
"""

import pytest

from actions.models import Update

ROLES = ["anonymous", "officer", "chair", "lead", "executive", "viewer", "outsider"]

# (name, method, url template, {role: status}); "*" covers the roles not named.
MATRIX = [
    ("home", "get", "/", {"anonymous": 302, "*": 302}),
    ("strategies", "get", "/strategies/", {"anonymous": 302, "*": 200}),
    ("strategy", "get", "/strategies/test-2024-2027/", {"anonymous": 302, "outsider": 404, "*": 200}),
    ("strategy elsewhere", "get", "/strategies/elsewhere-2024/", {"anonymous": 302, "outsider": 200, "*": 404}),
    ("my actions", "get", "/my/", {"anonymous": 302, "*": 200}),
    ("action list", "get", "/actions/", {"anonymous": 302, "*": 200}),
    ("action list of plan", "get", "/actions/?strategy=test-2024-2027", {"anonymous": 302, "outsider": 404, "*": 200}),
    ("csv", "get", "/actions/download.csv?strategy=test-2024-2027", {"anonymous": 302, "outsider": 404, "*": 200}),
    ("xlsx", "get", "/actions/download.xlsx?strategy=test-2024-2027", {"anonymous": 302, "outsider": 404, "*": 200}),
    ("action", "get", "/actions/{v1_1}/", {"anonymous": 302, "outsider": 404, "*": 200}),
    (
        "sensitive action",
        "get",
        "/actions/{c1_1}/",
        {"anonymous": 302, "officer": 200, "executive": 200, "*": 404},
    ),
    ("foreign action", "get", "/actions/{x1_1}/", {"anonymous": 302, "outsider": 200, "*": 404}),
    (
        "update form",
        "get",
        "/actions/{v1_1}/update/",
        {"anonymous": 302, "officer": 200, "chair": 200, "lead": 200, "outsider": 404, "*": 403},
    ),
    (
        "update",
        "post",
        "/actions/{v1_1}/update/",
        {"anonymous": 302, "officer": 302, "chair": 302, "lead": 302, "outsider": 404, "*": 403},
    ),
    (
        "update sensitive",
        "post",
        "/actions/{c1_1}/update/",
        {"anonymous": 302, "officer": 302, "executive": 403, "*": 404},
    ),
    ("post to a page", "post", "/my/", {"anonymous": 302, "*": 405}),
    ("add a strategy", "get", "/strategies/new/", {"anonymous": 302, "officer": 200, "outsider": 200, "*": 403}),
    ("add a strategy post", "post", "/strategies/new/", {"anonymous": 302, "officer": 200, "outsider": 200, "*": 403}),
    ("post to the list", "post", "/actions/", {"anonymous": 302, "*": 405}),
    ("back office", "get", "/admin/", {"anonymous": 302, "*": 200}),
    # Operations and the audit trail (issue 7).
    ("health check", "get", "/healthz", {"*": 200}),
    ("post to the health check", "post", "/healthz", {"*": 405}),
    ("audit log", "get", "/audit/", {"anonymous": 302, "officer": 200, "outsider": 200, "*": 403}),
    ("audit csv", "get", "/audit/download.csv", {"anonymous": 302, "officer": 200, "outsider": 200, "*": 403}),
    ("post to the audit log", "post", "/audit/", {"anonymous": 302, "*": 405}),
]

UPDATE = {"status": "in_progress", "rag": "green", "progress": "10", "seen_update": "none"}


def cases():
    for name, method, url, outcomes in MATRIX:
        for role in ROLES:
            yield pytest.param(method, url, role, outcomes.get(role, outcomes.get("*")), id=f"{name}-{method}-{role}")


@pytest.mark.parametrize(("method", "url", "role", "expected"), list(cases()))
def test_role_url_method(method, url, role, expected, client, users, plan, elsewhere):
    if role != "anonymous":
        client.force_login(users[role])
    url = url.format(v1_1=plan["v1_1"].pk, c1_1=plan["c1_1"].pk, x1_1=elsewhere["action"].pk)
    response = client.post(url, UPDATE) if method == "post" else client.get(url)
    assert response.status_code == expected
    if role == "anonymous" and expected == 302:
        assert response.url.startswith("/accounts/login/") or response.url.startswith("/admin/login/")
    if method == "post" and expected != 302:
        assert not Update.objects.exists()


# Update rounds, reminders and sign-off (issue 6) -------------------------------------------------
# These pages need a round (for last quarter) and, with sign-off on, an update the lead has submitted.

ROUND_MATRIX = [
    ("rounds", "get", "/rounds/", {"anonymous": 302, "officer": 200, "outsider": 200, "*": 403}),
    ("open a round", "get", "/rounds/new/", {"anonymous": 302, "officer": 200, "outsider": 200, "*": 403}),
    ("returns", "get", "/rounds/{round}/", {"anonymous": 302, "officer": 200, "outsider": 404, "*": 403}),
    ("remind now", "post", "/rounds/{round}/remind/", {"anonymous": 302, "officer": 302, "outsider": 404, "*": 403}),
    ("remind by get", "get", "/rounds/{round}/remind/", {"anonymous": 302, "outsider": 405, "*": 405}),
    ("change round", "get", "/rounds/{round}/change/", {"anonymous": 302, "officer": 200, "outsider": 404, "*": 403}),
    ("close round", "get", "/rounds/{round}/close/", {"anonymous": 302, "officer": 200, "outsider": 404, "*": 403}),
    ("close", "post", "/rounds/{round}/close/", {"anonymous": 302, "officer": 302, "outsider": 404, "*": 403}),
    (
        "correction",
        "get",
        "/rounds/corrections/{v1_1}/",
        {"anonymous": 302, "officer": 200, "outsider": 404, "*": 403},
    ),
    (
        "sign-off queue",
        "get",
        "/sign-off/",
        {"anonymous": 302, "officer": 200, "chair": 200, "outsider": 200, "*": 403},
    ),
    (
        "sign-off review",
        "get",
        "/sign-off/{submitted}/",
        {"anonymous": 302, "officer": 200, "chair": 200, "outsider": 404, "*": 403},
    ),
    (
        "approve",
        "post",
        "/sign-off/{submitted}/",
        {"anonymous": 302, "officer": 302, "chair": 302, "outsider": 404, "*": 403},
    ),
    (
        "return to the lead",
        "post",
        "/sign-off/{submitted}/",
        {"anonymous": 302, "officer": 302, "chair": 302, "outsider": 404, "*": 403},
        {"decision": "return", "comment": "Please add this quarter's figures."},
    ),
    # Posted forms that are not the page's own: whoever may use the page gets it back with errors.
    ("open a round post", "post", "/rounds/new/", {"anonymous": 302, "officer": 200, "outsider": 200, "*": 403}),
    (
        "change round post",
        "post",
        "/rounds/{round}/change/",
        {"anonymous": 302, "officer": 200, "outsider": 404, "*": 403},
    ),
    (
        "correction post",
        "post",
        "/rounds/corrections/{v1_1}/",
        {"anonymous": 302, "officer": 200, "outsider": 404, "*": 403},
    ),
]


ROUND_POST = {"decision": "approve", "person": "all"}


def round_cases():
    for name, method, url, outcomes, *data in ROUND_MATRIX:
        for role in ROLES:
            expected = outcomes.get(role, outcomes.get("*"))
            yield pytest.param(method, url, role, expected, *(data or [ROUND_POST]), id=f"{name}-{method}-{role}")


@pytest.mark.parametrize(("method", "url", "role", "expected", "data"), list(round_cases()))
def test_round_pages_role_url_method(method, url, role, expected, data, client, users, plan, elsewhere):
    from performance import rounds
    from performance.models import RoundEmail, UpdateRound
    from strategy.models import Strategy
    from strategy.periods import Quarter

    Strategy.objects.filter(pk=plan["strategy"].pk).update(requires_sign_off=True)
    plan["v1_1"].refresh_from_db()
    update_round = rounds.round_open(
        strategy=plan["strategy"],
        quarter=Quarter.current().previous(),
        by=users["officer"],
        deadline=plan["strategy"].end_date,
    )
    submitted = plan["v1_1"].record_update(by=users["lead"], status="in_progress", rag="green", progress=10)
    if role != "anonymous":
        client.force_login(users[role])
    url = url.format(round=update_round.pk, submitted=submitted.pk, v1_1=plan["v1_1"].pk)
    updates = list(Update.objects.values_list("pk", "review_state", "recorded_at"))
    response = client.post(url, data) if method == "post" else client.get(url)
    assert response.status_code == expected
    if role == "anonymous" and expected == 302:
        assert response.url.startswith("/accounts/login/")
    if method == "post" and expected != 302:
        assert list(Update.objects.values_list("pk", "review_state", "recorded_at")) == updates
        assert UpdateRound.objects.get().is_open
        assert UpdateRound.objects.get().deadline == plan["strategy"].end_date
        assert not RoundEmail.objects.filter(kind="manual").exists()
    if method == "post" and expected == 302 and role != "anonymous" and "/sign-off/" in url:
        submitted.refresh_from_db()
        assert submitted.review_state == {"approve": "approved", "return": "returned"}[data["decision"]]


# Indicators (issue 5) ---------------------------------------------------------------------------
# The indicator pages, with their own standing rows: an indicator of the plan owned by the lead
# (Lena), one marked OFFICIAL-SENSITIVE, one of the other partnership, a value and an import.

INDICATOR_MATRIX = [
    ("indicators", "get", "/indicators/", {"anonymous": 302, "*": 200}),
    (
        "indicators of plan",
        "get",
        "/indicators/?strategy=test-2024-2027",
        {"anonymous": 302, "outsider": 404, "*": 200},
    ),
    ("indicator", "get", "/indicators/{ind}/", {"anonymous": 302, "outsider": 404, "*": 200}),
    (
        "sensitive indicator",
        "get",
        "/indicators/{sens}/",
        {"anonymous": 302, "officer": 200, "executive": 200, "*": 404},
    ),
    ("foreign indicator", "get", "/indicators/{foreign}/", {"anonymous": 302, "outsider": 200, "*": 404}),
    (
        "value form",
        "get",
        "/indicators/{ind}/values/new/",
        {"anonymous": 302, "officer": 200, "lead": 200, "outsider": 404, "*": 403},
    ),
    (
        "value",
        "post",
        "/indicators/{ind}/values/new/",
        {"anonymous": 302, "officer": 302, "lead": 302, "outsider": 404, "*": 403},
    ),
    (
        "sensitive value",
        "post",
        "/indicators/{sens}/values/new/",
        {"anonymous": 302, "officer": 302, "executive": 403, "*": 404},
    ),
    (
        "correction form",
        "get",
        "/indicators/{ind}/values/{value}/correct/",
        {"anonymous": 302, "officer": 200, "lead": 200, "outsider": 404, "*": 403},
    ),
    (
        "correction",
        "post",
        "/indicators/{ind}/values/{value}/correct/",
        {"anonymous": 302, "officer": 302, "lead": 302, "outsider": 404, "*": 403},
    ),
    (
        "value imports",
        "get",
        "/indicators/imports/",
        {"anonymous": 302, "officer": 200, "lead": 200, "outsider": 200, "*": 403},
    ),
    (
        "value import upload",
        "get",
        "/indicators/imports/new/",
        {"anonymous": 302, "officer": 200, "lead": 200, "outsider": 200, "*": 403},
    ),
    (
        "value import",
        "get",
        "/indicators/imports/{record}/",
        {"anonymous": 302, "officer": 200, "outsider": 404, "*": 403},
    ),
    (
        "value import confirm",
        "post",
        "/indicators/imports/{record}/",
        {"anonymous": 302, "officer": 302, "outsider": 404, "*": 403},
    ),
    (
        "value import cancel",
        "post",
        "/indicators/imports/{record}/cancel/",
        {"anonymous": 302, "officer": 302, "outsider": 404, "*": 403},
    ),
    ("post to indicators", "post", "/indicators/", {"anonymous": 302, "*": 405}),
]

VALUE = {"period": "2024/25 Q2", "value": "12", "correction_reason": "Recounted"}


def indicator_cases():
    for name, method, url, outcomes in INDICATOR_MATRIX:
        for role in ROLES:
            yield pytest.param(method, url, role, outcomes.get(role, outcomes.get("*")), id=f"{name}-{method}-{role}")


@pytest.mark.parametrize(("method", "url", "role", "expected"), indicator_cases())
def test_indicator_role_url_method(method, url, role, expected, client, users, plan, elsewhere):
    from decimal import Decimal

    from performance.indicators import Period
    from performance.models import Indicator, IndicatorValue, IndicatorValueImport
    from strategy.models import Marking

    indicator = Indicator.objects.create(
        strategy=plan["strategy"], ref="KPI-1", name="Repeat victims", unit="percentage"
    )
    indicator.owners.add(plan["lena"])
    value = indicator.record_value(period=Period.of_quarter_text("2024/25 Q1"), value=Decimal(14))
    sensitive = Indicator.objects.create(strategy=plan["strategy"], ref="KPI-2", marking=Marking.OFFICIAL_SENSITIVE)
    foreign = Indicator.objects.create(strategy=elsewhere["strategy"], ref="KPI-X")
    record = IndicatorValueImport.objects.create(
        strategy=plan["strategy"],
        created_by=users["officer"],
        file_name="values.csv",
        file_size=1,
        file_sha256="0" * 64,
        state=IndicatorValueImport.State.READY,
    )
    if role != "anonymous":
        client.force_login(users[role])
    url = url.format(ind=indicator.pk, sens=sensitive.pk, foreign=foreign.pk, value=value.pk, record=record.pk)
    values_before = IndicatorValue.objects.count()
    response = client.post(url, VALUE) if method == "post" else client.get(url)
    assert response.status_code == expected
    if role == "anonymous" and expected == 302:
        assert response.url.startswith("/accounts/login/")
    if method == "post" and expected != 302:
        assert IndicatorValue.objects.count() == values_before
        assert IndicatorValueImport.objects.get().state == IndicatorValueImport.State.READY


# End of indicators (issue 5) ------------------------------------------------------------------------


# The quarterly review, meetings and packs (issue 6) -----------------------------------------------
# A meeting of the plan reviewing 2024/25 Q3, one of the OFFICIAL-SENSITIVE CONTEST group, and two
# packs as issued (bytes written directly: making real PDFs here would only slow the table down),
# one OFFICIAL and one OFFICIAL-SENSITIVE.

REVIEW_MATRIX = [
    ("review", "get", "/review/", {"anonymous": 302, "*": 302}),
    ("review of plan", "get", "/review/test-2024-2027/", {"anonymous": 302, "outsider": 404, "*": 302}),
    ("review quarter", "get", "/review/test-2024-2027/2024-Q3/", {"anonymous": 302, "outsider": 404, "*": 200}),
    ("review elsewhere", "get", "/review/elsewhere-2024/2024-Q3/", {"anonymous": 302, "outsider": 200, "*": 404}),
    ("review post", "post", "/review/test-2024-2027/2024-Q3/", {"anonymous": 302, "*": 405}),
    (
        "review objectives",
        "get",
        "/review/test-2024-2027/2024-Q3/objectives/",
        {"anonymous": 302, "outsider": 404, "*": 200},
    ),
    (
        "challenge",
        "post",
        "/review/test-2024-2027/2024-Q3/challenges/",
        {"anonymous": 302, "officer": 302, "chair": 302, "executive": 302, "outsider": 404, "*": 403},
    ),
    ("challenge by get", "get", "/review/test-2024-2027/2024-Q3/challenges/", {"anonymous": 302, "*": 405}),
    (
        "issue a pack from the review",
        "post",
        "/review/test-2024-2027/2024-Q3/packs/",
        {"anonymous": 302, "officer": 302, "outsider": 404, "*": 403},
    ),
    ("issue a pack by get", "get", "/review/test-2024-2027/2024-Q3/packs/", {"anonymous": 302, "*": 405}),
    ("meetings", "get", "/meetings/", {"anonymous": 302, "*": 200}),
    ("meeting", "get", "/meetings/{meeting}/", {"anonymous": 302, "outsider": 404, "*": 200}),
    (
        "sensitive meeting",
        "get",
        "/meetings/{sensitive}/",
        {"anonymous": 302, "officer": 200, "executive": 200, "*": 404},
    ),
    (
        "add meeting",
        "get",
        "/meetings/new/?strategy=test-2024-2027",
        {"anonymous": 302, "officer": 200, "outsider": 404, "*": 403},
    ),
    (
        "add meeting post",  # the posted form is not a meeting's, so the officer gets it back with errors
        "post",
        "/meetings/new/?strategy=test-2024-2027",
        {"anonymous": 302, "officer": 200, "outsider": 404, "*": 403},
    ),
    (
        "change meeting",
        "get",
        "/meetings/{meeting}/change/",
        {"anonymous": 302, "officer": 200, "outsider": 404, "*": 403},
    ),
    ("issue pack", "post", "/meetings/{meeting}/packs/", {"anonymous": 302, "officer": 302, "outsider": 404, "*": 403}),
    ("issue pack by get", "get", "/meetings/{meeting}/packs/", {"anonymous": 302, "outsider": 405, "*": 405}),
    ("pack pdf", "get", "/meetings/{meeting}/packs/{pack}.pdf", {"anonymous": 302, "outsider": 404, "*": 200}),
    ("pack xlsx", "get", "/meetings/{meeting}/packs/{pack}.xlsx", {"anonymous": 302, "outsider": 404, "*": 200}),
    (
        "sensitive pack",
        "get",
        "/meetings/{meeting}/packs/{sensitive_pack}.pdf",
        {"anonymous": 302, "officer": 200, "executive": 200, "*": 404},
    ),
    ("quarter pack pdf", "get", "/packs/{quarter_pack}.pdf", {"anonymous": 302, "outsider": 404, "*": 200}),
    ("quarter pack xlsx", "get", "/packs/{quarter_pack}.xlsx", {"anonymous": 302, "outsider": 404, "*": 200}),
    (
        "sensitive quarter pack",
        "get",
        "/packs/{sensitive_quarter_pack}.xlsx",
        {"anonymous": 302, "officer": 200, "executive": 200, "*": 404},
    ),
    ("meeting pack by the packs' address", "get", "/packs/{pack}.pdf", {"anonymous": 302, "outsider": 404, "*": 200}),
    ("mark held", "post", "/meetings/{meeting}/held/", {"anonymous": 302, "officer": 302, "outsider": 404, "*": 403}),
    ("mark held by get", "get", "/meetings/{meeting}/held/", {"anonymous": 302, "*": 405}),
    ("decisions", "get", "/decisions/", {"anonymous": 302, "*": 200}),
    ("decisions csv", "get", "/decisions/download.csv?state=open", {"anonymous": 302, "*": 200}),
    ("decisions xlsx", "get", "/decisions/download.xlsx", {"anonymous": 302, "*": 200}),
    ("decision", "get", "/decisions/{decision}/", {"anonymous": 302, "outsider": 404, "*": 200}),
    (
        "sensitive decision",
        "get",
        "/decisions/{sensitive_decision}/",
        {"anonymous": 302, "officer": 200, "executive": 200, "*": 404},
    ),
    (
        "close decision",  # by its owner (the lead) or an officer
        "post",
        "/decisions/{decision}/",
        {"anonymous": 302, "officer": 302, "lead": 302, "outsider": 404, "*": 403},
    ),
    (
        "change decision",
        "get",
        "/decisions/{decision}/change/",
        {"anonymous": 302, "officer": 200, "outsider": 404, "*": 403},
    ),
    (
        "respond to decision",  # from My actions; the unprefixed form comes back with its errors
        "post",
        "/decisions/{decision}/respond/",
        {"anonymous": 302, "officer": 200, "lead": 200, "outsider": 404, "*": 403},
    ),
    ("respond by get", "get", "/decisions/{decision}/respond/", {"anonymous": 302, "*": 405}),
    (
        "attendance",
        "get",
        "/meetings/{meeting}/attendance/",
        {"anonymous": 302, "officer": 200, "outsider": 404, "*": 403},
    ),
    (
        "attendance post",  # nothing chosen: nothing changes
        "post",
        "/meetings/{meeting}/attendance/",
        {"anonymous": 302, "officer": 302, "outsider": 404, "*": 403},
    ),
    (
        "change decision post",  # the posted form lacks an owner, so the officer gets it back with errors
        "post",
        "/decisions/{decision}/change/",
        {"anonymous": 302, "officer": 200, "outsider": 404, "*": 403},
    ),
]


def review_cases():
    for name, method, url, outcomes in REVIEW_MATRIX:
        for role in ROLES:
            yield pytest.param(method, url, role, outcomes.get(role, outcomes.get("*")), id=f"{name}-{method}-{role}")


@pytest.mark.parametrize(("method", "url", "role", "expected"), list(review_cases()))
def test_review_pages_role_url_method(method, url, role, expected, client, users, plan, elsewhere, monkeypatch):
    import datetime

    from django.utils import timezone

    from performance import meeting_views, review_views
    from performance.models import Challenge, Meeting, MeetingPack

    # Issuing a pack is checked for who may, not for the PDF (tests/performance/test_pack.py makes real ones).
    monkeypatch.setattr(meeting_views, "pack_create", lambda **kwargs: MeetingPack(state="issued"))
    monkeypatch.setattr(review_views, "pack_create", lambda **kwargs: MeetingPack(state="issued"))
    meeting = Meeting.objects.create(strategy=plan["strategy"], date=datetime.date(2025, 1, 28), year=2024, number=3)
    sensitive = Meeting.objects.create(
        strategy=plan["strategy"],
        kind="delivery_group",
        delivery_group=plan["contest"],
        date=datetime.date(2025, 1, 20),
        year=2024,
        number=3,
    )
    Meeting.objects.create(strategy=elsewhere["strategy"], date=datetime.date(2025, 1, 28), year=2024, number=3)
    decision = Challenge.objects.create(
        meeting=meeting, kind="decision", state="open", text="Report back.", owner_person=plan["lena"]
    )
    sensitive_decision = Challenge.objects.create(
        meeting=meeting, kind="decision", state="open", action=plan["c1_1"], text="Review the venue."
    )
    packs = {
        marking: MeetingPack.objects.create(
            meeting=meeting,
            year=2024,
            number=3,
            state="issued",
            finished_at=timezone.now(),
            marking=marking,
            pdf_content=b"%PDF-1.7 test",
            pdf_sha256="a" * 64,
            xlsx_content=b"PK test",
            xlsx_sha256="b" * 64,
        )
        for marking in ("official", "official_sensitive")
    }
    quarter_packs = {
        marking: MeetingPack.objects.create(
            strategy=plan["strategy"],
            year=2024,
            number=3,
            state="issued",
            finished_at=timezone.now(),
            marking=marking,
            pdf_content=b"%PDF-1.7 test",
            pdf_sha256="c" * 64,
            xlsx_content=b"PK test",
            xlsx_sha256="d" * 64,
        )
        for marking in ("official", "official_sensitive")
    }
    if role != "anonymous":
        client.force_login(users[role])
    url = url.format(
        meeting=meeting.pk,
        sensitive=sensitive.pk,
        pack=packs["official"].pk,
        sensitive_pack=packs["official_sensitive"].pk,
        quarter_pack=quarter_packs["official"].pk,
        sensitive_quarter_pack=quarter_packs["official_sensitive"].pk,
        decision=decision.pk,
        sensitive_decision=sensitive_decision.pk,
    )
    data = {
        "meeting": meeting.pk,
        "kind": "challenge",
        "group": plan["victim"].pk,
        "text": "Why?",
        "date": "28/02/2025",
        "quarter": "2024-Q3",
        "state": "done",
        "response": "Reported at the next meeting.",
    }
    response = client.post(url, data) if method == "post" else client.get(url)
    assert response.status_code == expected
    if role == "anonymous" and expected == 302:
        assert response.url.startswith("/accounts/login/")
    if method == "post" and expected != 302:
        assert Challenge.objects.count() == 2
        assert set(Challenge.objects.values_list("state", flat=True)) == {"open"}
        assert Meeting.objects.filter(held_at__isnull=False).count() == 0
        assert Meeting.objects.count() == 3


# The evidence: the area and police.uk's crime data ------------------------------------------------
# Test CSP has an area and an upload of January checked and waiting to be confirmed; the other
# partnership (the outsider's) has no area yet, so their upload of police.uk files is refused (400).

EVIDENCE_MATRIX = [
    ("evidence", "get", "/evidence/", {"anonymous": 302, "officer": 200, "outsider": 200, "*": 403}),
    ("post to the evidence", "post", "/evidence/", {"anonymous": 302, "*": 405}),
    ("load the area", "post", "/evidence/area/", {"anonymous": 302, "officer": 302, "outsider": 302, "*": 403}),
    ("area by get", "get", "/evidence/area/", {"anonymous": 302, "*": 405}),
    ("police upload", "post", "/evidence/police/", {"anonymous": 302, "officer": 302, "outsider": 400, "*": 403}),
    ("police upload by get", "get", "/evidence/police/", {"anonymous": 302, "*": 405}),
    (
        "police import",
        "get",
        "/evidence/police/{record}/",
        {"anonymous": 302, "officer": 200, "outsider": 404, "*": 403},
    ),
    (
        "police import confirm",
        "post",
        "/evidence/police/{record}/",
        {"anonymous": 302, "officer": 302, "outsider": 404, "*": 403},
    ),
    (
        "police import cancel",
        "post",
        "/evidence/police/{record}/cancel/",
        {"anonymous": 302, "officer": 302, "outsider": 404, "*": 403},
    ),
    ("police import cancel by get", "get", "/evidence/police/{record}/cancel/", {"anonymous": 302, "*": 405}),
    (
        "crime counts csv",
        "get",
        "/evidence/crime-counts.csv?start=2024-01&end=2024-12",
        {"anonymous": 302, "officer": 200, "outsider": 200, "*": 403},
    ),
    # The strategic assessment: every member reads their own partnership's (no counts held here yet, so
    # the workbook sends them back to the page).
    ("assessment", "get", "/evidence/assessment/", {"anonymous": 302, "*": 200}),
    ("assessment bad month", "get", "/evidence/assessment/?end=2024-13", {"anonymous": 302, "*": 400}),
    ("post to the assessment", "post", "/evidence/assessment/", {"anonymous": 302, "*": 405}),
    ("assessment xlsx", "get", "/evidence/assessment.xlsx?end=2024-12", {"anonymous": 302, "*": 302}),
]


def evidence_cases():
    for name, method, url, outcomes in EVIDENCE_MATRIX:
        for role in ROLES:
            yield pytest.param(method, url, role, outcomes.get(role, outcomes.get("*")), id=f"{name}-{method}-{role}")


@pytest.mark.parametrize(("method", "url", "role", "expected"), list(evidence_cases()))
def test_evidence_role_url_method(method, url, role, expected, client, users, plan, elsewhere):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from evidence import records
    from evidence.area import area_import
    from evidence.models import AreaLookup, CrimeCount, PoliceDataImport
    from tests.evidence.files import JANUARY, lookup_csv, street_csv

    area_import(
        partnership=plan["partnership"],
        content=lookup_csv(),
        file_name="lookup.csv",
        local_authority_codes=["E09000033"],
    )
    record = records.import_create(
        partnership=plan["partnership"],
        file_name="2024-01-metropolitan-street.csv",
        content=street_csv("2024-01", JANUARY),
        by=users["officer"],
        background=False,
    )
    assert record.state == PoliceDataImport.State.READY
    if role != "anonymous":
        client.force_login(users[role])
    url = url.format(record=record.pk)
    data = {
        "local_authorities": "E09000033",
        "file": SimpleUploadedFile("lookup.csv", lookup_csv()),
        "files": SimpleUploadedFile("2024-02-metropolitan-street.csv", street_csv("2024-02", JANUARY)),
    }
    response = client.post(url, data) if method == "post" else client.get(url)
    assert response.status_code == expected
    if role == "anonymous" and expected == 302:
        assert response.url.startswith("/accounts/login/")
    if method == "post" and expected != 302:
        assert AreaLookup.objects.count() == 1
        assert list(PoliceDataImport.objects.values_list("pk", "state")) == [(record.pk, "ready")]
        assert not CrimeCount.objects.exists()


# The public pages and open data, and the officers' publication pages. Test CSP's strategy is
# published here; the other partnership's is not (only its officers preview it).

PUBLIC_MATRIX = [
    ("public partnership", "get", "/public/tcsp/", {"*": 200}),
    ("public strategy", "get", "/public/tcsp/test-2024-2027/", {"*": 200}),
    ("public data dictionary", "get", "/public/tcsp/test-2024-2027/data/", {"*": 200}),
    ("public actions", "get", "/public/tcsp/test-2024-2027/actions.csv", {"*": 200}),
    ("public history", "get", "/public/tcsp/test-2024-2027/status-history.csv", {"*": 200}),
    ("public indicators", "get", "/public/tcsp/test-2024-2027/indicators.csv", {"*": 200}),
    ("post to a public page", "post", "/public/tcsp/test-2024-2027/", {"*": 405}),
    ("unpublished partnership", "get", "/public/elsewhere/", {"*": 404}),
    ("unpublished strategy", "get", "/public/elsewhere/elsewhere-2024/", {"*": 404}),
    ("preview", "get", "/public/elsewhere/elsewhere-2024/?preview", {"outsider": 200, "*": 404}),
    ("preview of a file", "get", "/public/elsewhere/elsewhere-2024/actions.csv?preview", {"outsider": 200, "*": 404}),
    ("strategy under another partnership", "get", "/public/tcsp/elsewhere-2024/?preview", {"*": 404}),
    (
        "publication",
        "get",
        "/strategies/test-2024-2027/publication/",
        {"anonymous": 302, "officer": 200, "outsider": 404, "*": 403},
    ),
    (
        "publication item",
        "get",
        "/strategies/test-2024-2027/publication/action/{v1_1}/",
        {"anonymous": 302, "officer": 200, "outsider": 404, "*": 403},
    ),
    (
        "publication of a sensitive item",
        "get",
        "/strategies/test-2024-2027/publication/action/{c1_1}/",
        {"anonymous": 302, "officer": 200, "outsider": 404, "*": 403},
    ),
    (
        "publication of another partnership's item",
        "get",
        "/strategies/test-2024-2027/publication/action/{x1_1}/",
        {"anonymous": 302, "outsider": 404, "officer": 404, "*": 403},
    ),
    (
        "hold back",
        "post",
        "/strategies/test-2024-2027/publication/action/{v1_1}/",
        {"anonymous": 302, "officer": 302, "outsider": 404, "*": 403},
    ),
]


def public_cases():
    for name, method, url, outcomes in PUBLIC_MATRIX:
        for role in ROLES:
            yield pytest.param(method, url, role, outcomes.get(role, outcomes.get("*")), id=f"{name}-{method}-{role}")


@pytest.mark.parametrize(("method", "url", "role", "expected"), list(public_cases()))
def test_public_and_publication_pages(method, url, role, expected, client, users, plan, elsewhere):
    from actions.models import Action
    from strategy.models import Strategy

    Strategy.objects.filter(pk=plan["strategy"].pk).update(published=True)
    if role != "anonymous":
        client.force_login(users[role])
    url = url.format(v1_1=plan["v1_1"].pk, c1_1=plan["c1_1"].pk, x1_1=elsewhere["action"].pk)
    response = client.post(url, {"held_back": "on"}) if method == "post" else client.get(url)
    assert response.status_code == expected
    if role == "anonymous" and expected == 200:
        assert not response.cookies
    held = Action.objects.filter(held_back=True).values_list("ref", flat=True)
    assert list(held) == (["V1.1"] if method == "post" and role == "officer" and expected == 302 else [])
