"""API callers: keys of each clearance for Test CSP, the other partnership's key, and expired and
revoked ones, over the public pages' published plan (tests/public/conftest.py)."""

import datetime

import pytest
from django.test import Client

from api.models import PartnerAPIKey
from strategy.models import Marking, Membership
from tests.conftest import make_user
from tests.public.conftest import NOW, clock, published  # noqa: F401

LATER = NOW + datetime.timedelta(days=90)


def make_key(partnership, clearance, *, by, name="Council Power BI", expiry=LATER, revoked=False):
    key, text = PartnerAPIKey.objects.create_key(
        partnership=partnership, name=name, clearance=clearance, expiry_date=expiry, created_by=by
    )
    if revoked:
        key.revoke(by=None)
    return text


def makers_changed(partnership):
    """Keys cleared for OFFICIAL-SENSITIVE whose makers, officers cleared for it when they made them,
    have since been lowered to OFFICIAL, made viewers, deactivated, or deleted."""
    makers = {
        which: make_user(
            f"maker-{which}",
            partnership=partnership,
            role=Membership.Role.OFFICER,
            clearance=Marking.OFFICIAL_SENSITIVE,
        )
        for which in ("lowered", "demoted", "deactivated", "deleted")
    }
    keys = {
        f"maker_{which}": make_key(partnership, Marking.OFFICIAL_SENSITIVE, by=maker) for which, maker in makers.items()
    }
    Membership.objects.filter(user=makers["lowered"]).update(clearance=Marking.OFFICIAL)
    Membership.objects.filter(user=makers["demoted"]).update(role=Membership.Role.VIEWER)
    type(makers["deactivated"]).objects.filter(pk=makers["deactivated"].pk).update(is_active=False)
    makers["deleted"].delete()
    return keys


@pytest.fixture
def keys(published, elsewhere, officer, outsider):  # noqa: F811 (the fixture imported above)
    partnership = published["partnership"]
    return {
        "official": make_key(partnership, Marking.OFFICIAL, by=officer),
        "sensitive": make_key(partnership, Marking.OFFICIAL_SENSITIVE, by=officer),
        "elsewhere": make_key(elsewhere["partnership"], Marking.OFFICIAL_SENSITIVE, by=outsider),
        "expired": make_key(
            partnership, Marking.OFFICIAL_SENSITIVE, by=officer, expiry=NOW - datetime.timedelta(days=1)
        ),
        "revoked": make_key(partnership, Marking.OFFICIAL_SENSITIVE, by=officer, revoked=True),
        **makers_changed(partnership),
    }


def caller(text=None):
    """A test client sending `text` as its API key (none: an anonymous caller)."""
    return Client(headers={"Authorization": f"Api-Key {text}"}) if text else Client()
