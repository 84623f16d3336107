"""The load test's users: leads reading My actions and posting updates, executives reading the review.

Run through benchmarks/load/run.py (which seeds the database, starts `make serve` and measures the
workers), or by hand against a server seeded by benchmarks/load/seed.py:

    .venv/bin/locust -f benchmarks/load/locustfile.py --headless -u 50 -r 10 -t 2m --host http://127.0.0.1:8000

Each user signs in through the real sign-in form (with its CSRF token), as lead<N> or
executive<N>. Leads open My actions, an action and its update form, and post an update with the
form's seen-update token (a 409 "updated by someone else" is a correct answer, counted apart).
Executives read the review dashboard (REVIEW_PATH, default /review/, which leads to the latest
quarter's dashboard; the strategy overview where there is none) and the action list: mostly its
first pages, now and then a deep one, and filtered.
"""

import itertools
import os
import random
import re
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import urlsplit

from locust import HttpUser, between, task

PASSWORD = os.environ.get("BENCH_PASSWORD", "bench-password-2017")
STRATEGY = os.environ.get("BENCH_STRATEGY", "bench")
LEADS = int(os.environ.get("BENCH_LEADS", "50"))
EXECUTIVES = int(os.environ.get("BENCH_EXECUTIVES", "20"))
REVIEW_PATH = os.environ.get("REVIEW_PATH", "/review/")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
_lead_numbers = itertools.count()
_executive_numbers = itertools.count()

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SEEN_FIELD = re.compile(r'name="seen_update" value="([^"]*)"|value="([^"]*)"[^>]*name="seen_update"')
ACTION_LINK = re.compile(r'href="/actions/(\d+)/"')


_return_ok_secure = DefaultCookiePolicy.return_ok_secure


def _return_ok_secure_localhost(self, cookie, request):
    """Send Secure cookies to http://127.0.0.1 as browsers do (localhost counts as a secure context).

    The production cookies are Secure; Python's cookie jar keeps them from any plain-HTTP address,
    and requests copies cookies into a jar of its own per request, so the policy is changed here.
    """
    if urlsplit(request.get_full_url()).hostname in LOCAL_HOSTS:
        return True
    return _return_ok_secure(self, cookie, request)


DefaultCookiePolicy.return_ok_secure = _return_ok_secure_localhost


# Seconds each user waits between requests ("5,15" is closer to people reading pages; the default
# keeps the server busier than people would).
WAIT = tuple(float(n) for n in os.environ.get("BENCH_WAIT", "0.5,2").split(","))


class SignedInUser(HttpUser):
    abstract = True
    wait_time = between(*WAIT)

    def on_start(self):
        page = self.client.get("/accounts/login/", name="sign in (form)")
        token = CSRF_FIELD.search(page.text).group(1)
        with self.client.post(
            "/accounts/login/",
            data={"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token, "next": ""},
            name="sign in (post)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in as {self.username} gave {response.status_code}")


class Lead(SignedInUser):
    weight = 4

    def on_start(self):
        self.username = f"lead{next(_lead_numbers) % LEADS}"
        super().on_start()
        self.actions = []
        self.my_actions()

    @task(5)
    def my_actions(self):
        page = self.client.get("/my/", name="/my/")
        found = ACTION_LINK.findall(page.text)
        if found:
            self.actions = found

    @task(2)
    def action_page(self):
        if self.actions:
            self.client.get(f"/actions/{random.choice(self.actions)}/", name="/actions/[id]/")

    @task(1)
    def post_update(self):
        if not self.actions:
            return
        pk = random.choice(self.actions)
        form = self.client.get(f"/actions/{pk}/update/", name="/actions/[id]/update/ (form)")
        csrf, seen = CSRF_FIELD.search(form.text), SEEN_FIELD.search(form.text)
        if not csrf or not seen:
            return
        with self.client.post(
            f"/actions/{pk}/update/",
            data={
                "csrfmiddlewaretoken": csrf.group(1),
                "seen_update": seen.group(1) or seen.group(2) or "",
                "status": "in_progress",
                "rag": random.choice(["green", "amber"]),
                "progress": str(random.randint(0, 100)),
                "commentary": "Load test: partners met, plan on track with minor slippage.",
            },
            name="/actions/[id]/update/ (post)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 409:  # two leads of one action at once: told so, correctly
                response.success()
            elif response.status_code != 302:
                response.failure(f"update gave {response.status_code}")


class Executive(SignedInUser):
    weight = 1

    def on_start(self):
        self.username = f"executive{next(_executive_numbers) % EXECUTIVES}"
        super().on_start()
        # /review/ sends an executive on to the latest quarter's dashboard of their strategy.
        with self.client.get(REVIEW_PATH, name="review (probe)", catch_response=True) as probe:
            found = probe.status_code == 200 and "/review/" in probe.url
            probe.success()  # a 404 only means the review dashboard is not built yet
        self.review = urlsplit(probe.url).path if found else f"/strategies/{STRATEGY}/"
        self.review_name = "review dashboard" if found else "strategy overview"

    @task(3)
    def review(self):
        self.client.get(self.review, name=self.review_name)

    @task(3)
    def action_list(self):
        # Mostly the first pages, as people read lists; now and then a page deep in the 400.
        page = random.choices([1, random.randint(2, 5), random.randint(6, 400)], weights=[7, 2, 1])[0]
        self.client.get(f"/actions/?strategy={STRATEGY}&page={page}", name="/actions/?page=[n]")

    @task(1)
    def filtered_list(self):
        rag = random.choice(["red", "amber", "green"])
        self.client.get(f"/actions/?strategy={STRATEGY}&rag={rag}&q=slippage&sort=-progress", name="/actions/?filtered")
