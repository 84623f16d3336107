"""API callers: keys of each clearance for Test CSP, the other partnership's key, and expired and
revoked ones, over the public pages' published plan (tests/public/conftest.py)."""

import datetime

import pytest
from django.test import Client

from api.models import PartnerAPIKey
from strategy.models import Marking
from tests.public.conftest import NOW, clock, published  # noqa: F401

LATER = NOW + datetime.timedelta(days=90)


def make_key(partnership, clearance, *, name="Council Power BI", expiry=LATER, revoked=False):
    key, text = PartnerAPIKey.objects.create_key(
        partnership=partnership, name=name, clearance=clearance, expiry_date=expiry
    )
    if revoked:
        key.revoke(by=None)
    return text


@pytest.fixture
def keys(published, elsewhere):  # noqa: F811 (the fixture imported above)
    partnership = published["partnership"]
    return {
        "official": make_key(partnership, Marking.OFFICIAL),
        "sensitive": make_key(partnership, Marking.OFFICIAL_SENSITIVE),
        "elsewhere": make_key(elsewhere["partnership"], Marking.OFFICIAL_SENSITIVE),
        "expired": make_key(partnership, Marking.OFFICIAL_SENSITIVE, expiry=NOW - datetime.timedelta(days=1)),
        "revoked": make_key(partnership, Marking.OFFICIAL_SENSITIVE, revoked=True),
    }


def caller(text=None):
    """A test client sending `text` as its API key (none: an anonymous caller)."""
    return Client(headers={"Authorization": f"Api-Key {text}"}) if text else Client()
