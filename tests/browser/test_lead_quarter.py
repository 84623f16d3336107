"""A lead's quarter in Chromium: five actions updated from the to-do list in five page loads and at
most three interactions each, and My actions on a phone with nothing past the screen's edge.
Every page is checked with axe, at 1280 and at 375 pixels wide."""

import datetime
import re
import zoneinfo

import pytest
import time_machine
from playwright.sync_api import expect

from actions.models import RAG, Status, Update
from tests.conftest import make_action

pytestmark = pytest.mark.browser

# In 2026/27 Q3; the actions were last updated in Q2. The clock ticks: the live server needs it to.
IN_Q3 = datetime.datetime(2026, 11, 16, 10, 0, tzinfo=zoneinfo.ZoneInfo("Europe/London"))
IN_Q2 = datetime.datetime(2026, 8, 3, 10, 0, tzinfo=zoneinfo.ZoneInfo("Europe/London"))


@pytest.fixture
def five_to_update(plan, lead):
    """The lead's five actions, each In progress and Green since an update last quarter."""
    actions = [plan["v1_1"], plan["v1_2"], plan["o1_2"]]
    actions += [make_action(plan["v1"], ref, leads=[plan["lena"]]) for ref in ("V1.10", "V1.9")]
    with time_machine.travel(IN_Q2, tick=False):
        for action in actions:
            action.record_update(by=lead, status=Status.IN_PROGRESS, rag=RAG.GREEN, progress=40, commentary="Begun")
    return actions


def test_five_updates_in_five_page_loads(page, live_server, lead, five_to_update, sign_in, check_accessibility):
    with time_machine.travel(IN_Q3, tick=True):
        page.set_viewport_size({"width": 1280, "height": 900})
        sign_in(page, live_server, "lead")
        expect(page).to_have_url(re.compile(r"/my/$"))
        standing = page.locator(".app-standing")
        expect(standing).to_contain_text("0 of 5 updated for 2026/27 Q3")
        needs = page.locator("#needs-update-test-2024-2027 ~ .app-todo-card h4")
        # References in natural order within each objective: V1.9 before V1.10.
        expect(needs).to_have_text([re.compile(rf"^{ref}\b") for ref in ("V1.1", "V1.2", "V1.9", "V1.10", "O1.2")])
        check_accessibility(page, "my-actions-1280")

        page.get_by_role("link", name="Update V1.1", exact=True).click()
        expect(page.get_by_role("heading", name="Update this action")).to_be_visible()
        check_accessibility(page, "action-update-todo")

        loads = []
        # A page load is a navigation of the main frame (a POST answered by a redirect counts once).
        page.on("framenavigated", lambda frame: frame == page.main_frame and loads.append(frame.url))
        for ref in ("V1.1", "V1.2", "V1.9", "V1.10", "O1.2"):
            expect(page.locator(".govuk-caption-l")).to_contain_text(ref)
            # Status and RAG come filled in from the last update; the last commentary is shown above.
            expect(page.get_by_role("radio", name="In progress")).to_be_checked()
            expect(page.get_by_role("radio", name="Green")).to_be_checked()
            expect(page.locator("#previous-commentary")).to_contain_text("Begun")
            # Three steps and nothing else asked: the commentary, its words, Save and next.
            page.get_by_label("Commentary").click()
            expect(page.get_by_label("Commentary")).to_be_focused()
            # Filled as one input, as a paste would: key by key, a loaded machine has dropped keys.
            page.get_by_label("Commentary").fill(f"{ref}: on track, nothing to add.")
            page.get_by_role("button", name="Save and next").click()
            expect(page.get_by_text(f"Your update to {ref} has been saved.")).to_be_visible()

        expect(page).to_have_url(re.compile(r"/my/$"))
        expect(page.locator(".app-standing")).to_contain_text("All 5 actions updated for 2026/27 Q3.")
        page.wait_for_load_state("load")
        assert len(loads) == 5
        assert loads[-1].endswith("/my/")
        notes = Update.objects.filter(commentary__endswith="on track, nothing to add.")
        assert sorted(notes.values_list("commentary", "status", "rag", "progress")) == sorted(
            [
                (f"{ref}: on track, nothing to add.", "in_progress", "green", 40)
                for ref in ("O1.2", "V1.1", "V1.10", "V1.2", "V1.9")
            ]
        ), list(Update.objects.order_by("pk").values_list("action__ref", "commentary"))
        check_accessibility(page, "my-actions-all-done")


def test_my_actions_on_a_phone(page, live_server, lead, chair, plan, sign_in, check_phone_layout, check_accessibility):
    with time_machine.travel(IN_Q2, tick=False):
        plan["o1_2"].record_update(by=lead, status=Status.COMPLETE, progress=100, commentary="Delivered")
    plan["strategy"].requires_sign_off = True
    plan["strategy"].save()
    with time_machine.travel(IN_Q3, tick=True):
        sent = plan["v1_2"].record_update(
            by=lead, status=Status.IN_PROGRESS, rag=RAG.AMBER, progress=20, commentary="Slow"
        )
        sent.return_to_lead(by=chair, comment="Say who is dealing with the delay and by when, please.")
        make_action(plan["v1"], "V1.3", leads=[plan["lena"]], text="Averyveryverylongunbrokenwordfromaspreadsheet" * 3)
        page.set_viewport_size({"width": 375, "height": 812})
        sign_in(page, live_server, "lead")
        expect(page.locator("#returned-test-2024-2027")).to_be_visible()
        check_phone_layout(page)
        check_accessibility(page, "my-actions-375")
        page.locator("#closed-test-2024-2027 summary").click()
        expect(page.locator("#closed-test-2024-2027")).to_contain_text("O1.2")
        check_phone_layout(page)

        page.get_by_role("link", name="Update V1.2", exact=True).click()
        expect(page.locator("#returned-reason")).to_contain_text("Say who is dealing with the delay")
        expect(page.get_by_label("Commentary")).to_have_value("Slow")
        check_accessibility(page, "action-update-returned-375")
