"""The review console in a real headless Chromium, against a real listening API, with the
embedded store and with Redis: the queue, an account and its linked cluster, a confirm
that changes the inline check's answer, and attacker-controlled strings shown as text."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, Page

from service.alerts import verdict_alert
from service.api.app import create_app
from service.api.routers.console import CONTENT_SECURITY_POLICY
from service.state.account import Decision
from tests.browser import chromium, screenshot, serving
from tests.test_api_support import AUTH, TOKEN, api_settings

pytestmark = pytest.mark.integration  # starts redis-server, the API and Chromium

REPO = Path(__file__).resolve().parent.parent
SHADOW = "org_[0-7]*"  # a tenant glob in shadow mode: about half the accounts
ANALYST = "ana@example.com"
CHECK = "/v1/check/v1/chat/completions"


@dataclass
class Console:
    store: str
    app: FastAPI
    base: str
    page: Page
    benign: list[str]  # accounts of the scenario's benign traffic

    def api(self, path: str, **params: Any) -> Any:
        response = httpx.get(self.base + path, params=params, headers=AUTH, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()

    def check(self, account: str) -> int:
        response = httpx.post(self.base + CHECK, headers={"x-account-id": account}, timeout=30)
        return response.status_code

    def open(self, route: str) -> None:
        """Go to a view of the console (afresh when it is the one shown) and wait for it."""
        url = f"{self.base}/console#{route}"
        if self.page.url == url:
            self.page.reload()
        else:
            self.page.goto(url)
        self.shown()

    def follow(self, selector: str) -> None:
        """Click a link to another view and wait for it."""
        before = self.page.url
        self.page.click(selector)
        self.page.wait_for_url(lambda url: url != before)
        self.shown()

    def shown(self) -> None:
        """Wait until the page has rendered the view its address names. (The console's
        Content-Security-Policy refuses Playwright's wait_for_function, which evaluates.)"""
        hash_ = self.page.evaluate("location.hash")
        quoted = hash_.replace("\\", "\\\\").replace('"', '\\"')
        self.page.wait_for_selector(f'body[data-shown="{quoted}"]', state="attached")

    def shot(self, name: str, tmp_path: Path) -> None:
        if self.store == "memory":  # one set of pictures for the docs
            screenshot(self.page, name, tmp_path)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module", params=["memory", "redis"])
def console(
    request: pytest.FixtureRequest, browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Console]:
    """An API with the smoke scenario pushed into it, and a signed-in page."""
    redis_url = request.getfixturevalue("redis_url") if request.param == "redis" else None
    settings = api_settings(
        redis_url,
        learn_interval_s=0,
        baseline_min_accounts=5,
        policy_overrides={SHADOW: {"shadow": True}},
    )
    app = create_app(settings)
    labels = tmp_path_factory.mktemp("console") / "labels.jsonl"
    with serving(app) as base:
        subprocess.run(
            [sys.executable, "-m", "service.cli", "simulate", "smoke", "--scale", "0.8",
             "--to", "http", "--url", f"{base}/v1/events", "--labels", str(labels), "--quiet"],
            check=True, cwd=REPO, capture_output=True,
        )  # fmt: skip
        benign = sorted(
            row["account_id"]
            for row in map(orjson.loads, labels.read_bytes().splitlines())
            if row["label"] == "benign"
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{base}/console")
        page.fill("#token", TOKEN)
        page.fill("#analyst", ANALYST)
        page.click("#sign-in button[type=submit]")
        page.wait_for_selector("body[data-shown]", state="attached")
        yield Console(request.param, app, base, page, benign)
        page.close()
    assert not errors, errors


def test_the_queue_lists_current_flags_newest_first_and_filters_them(
    console: Console, tmp_path: Path
) -> None:
    page = console.page
    console.open("/")
    queue = console.api("/v1/queue")
    flags = queue["flags"]
    assert len(flags) >= 5 and all(f["action"] != "allow" for f in flags)
    assert [f["ts"] for f in flags] == sorted((f["ts"] for f in flags), reverse=True)
    rows = page.locator("section:nth-of-type(1) tbody tr")
    assert rows.count() == len(flags)
    assert [rows.nth(i).locator("a.account").inner_text() for i in range(len(flags))] == [
        f["account_id"] for f in flags
    ]
    # Shadow-mode flags are marked, the others are not.
    for i, flag in enumerate(flags):
        marked = rows.nth(i).locator(".badge.shadow").count() == 1
        assert marked == fnmatchcase(flag["account_id"], SHADOW), flag["account_id"]
    assert any(f["cluster_id"] for f in flags)
    console.shot("console-queue.png", tmp_path)

    # Filters: by family, action, tenant and cluster, through the form.
    page.select_option("select[name=family]", "farm")
    page.select_option("select[name=action]", "block")
    page.fill("input[name=tenant]", SHADOW)
    console.follow("#filters button[type=submit]")
    assert "tenant=" in page.url
    wanted = [f["account_id"] for f in flags if "farm" in f["families"]
              and f["action"] == "block" and fnmatchcase(f["account_id"], SHADOW)]  # fmt: skip
    shown = page.locator("section:nth-of-type(1) tbody a.account").all_inner_texts()
    assert shown == wanted
    assert page.locator("#tenants option").get_attribute("value") == SHADOW
    cluster = next(f["cluster_id"] for f in flags if f["cluster_id"])
    console.open("/?cluster_id=" + cluster)
    shown = page.locator("section:nth-of-type(1) tbody a.account").all_inner_texts()
    assert shown == [f["account_id"] for f in flags if f["cluster_id"] == cluster]


def test_an_account_shows_its_evidence_and_linked_cluster(console: Console, tmp_path: Path) -> None:
    page = console.page
    flag = next(f for f in console.api("/v1/queue")["flags"] if f["cluster_id"])
    account, cluster = flag["account_id"], flag["cluster_id"]
    console.open("/")
    console.follow(f"section:nth-of-type(1) a.account:text-is('{account}')")
    assert page.inner_text("#account-id") == account
    # The evidence: a signal read from the linked group, in its family, naming the cluster.
    evidence = page.locator("section:has(h2:text-is('Evidence')) tbody tr")
    linked = evidence.filter(has_text=cluster)
    assert linked.count() >= 1
    assert linked.first.locator("td").first.inner_text() in ("farm", "structure", "coordination")
    peers = evidence.locator("td:nth-child(5)").all_inner_texts()  # the peers' median
    assert any(peers), "no signal shows its peers' median"
    # The linked groups: the shared instrument as its hash, with the other members.
    groups = page.locator("section:has(h2:text-is('Linked groups')) .link")
    values = groups.locator("h3 a").all_inner_texts()
    assert cluster in values and all(":" in value for value in values)
    view = console.api(f"/v1/accounts/{account}")
    members = next(g["accounts"] for g in view["linked"] if g["value"] == cluster)
    shown = groups.filter(has_text=cluster).locator(".members a").all_inner_texts()
    assert shown == members and account not in shown
    assert page.locator(".chart circle").count() >= 1  # score over time
    assert page.locator("section:has(h2:text-is('Alert history')) tbody tr").count() >= 1
    console.shot("console-account.png", tmp_path)

    console.follow(f"section:has(h2:text-is('Linked groups')) h3 a:text-is('{cluster}')")
    assert page.inner_text("#view h1") == f"Cluster {cluster}"
    listed = page.locator("section:has(h2:text-is('Members')) a.account").all_inner_texts()
    assert account in listed
    console.shot("console-cluster.png", tmp_path)


def test_a_confirm_changes_the_inline_checks_answer_and_is_recorded(console: Console) -> None:
    page = console.page
    flagged = {f["account_id"] for f in console.api("/v1/queue")["flags"]}
    account = next(a for a in console.benign if a not in flagged and not fnmatchcase(a, SHADOW))
    assert console.check(account) == 200
    console.open("/account/" + account)
    page.fill(".actions input[name=note]", "same card as a confirmed farm")
    page.click(".actions button[data-kind=confirm]")
    page.wait_for_selector(".message")
    assert f"recorded for {ANALYST}" in page.inner_text(".message")
    assert console.check(account) == 403
    record = page.locator("section:has(h2:text-is('Analyst actions')) tbody tr").first
    assert record.locator("td").nth(1).inner_text() == ANALYST
    assert "confirm" in record.inner_text() and "same card" in record.inner_text()

    page.click(".actions button[data-kind=clear]")  # lift the block
    page.wait_for_selector(".message:has-text('Lift block')")
    assert console.check(account) == 200
    assert page.locator("section:has(h2:text-is('Analyst actions')) tbody tr").count() == 2


def test_a_script_in_an_account_id_or_a_reason_is_shown_as_text(console: Console) -> None:
    page = console.page
    account = '<img src=x onerror="window.pwned=1">'
    reason = "<script>window.pwned=2</script>"
    decision = Decision("block", 0.99, [reason], 1_900_000_000.0, None)
    context = console.app.state.context
    context.store.save({}, {account: decision})
    context.alerts.append([verdict_alert(account, Decision(), decision, alert_id="x:1",
                                         enforced=True, ts=decision.since_ts)])  # fmt: skip
    console.open("/")
    row = page.locator("section:nth-of-type(1) tbody tr").first  # the newest
    assert row.locator("a.account").inner_text() == account
    assert reason in row.inner_text()
    console.follow("section:nth-of-type(1) tbody tr:first-child a.account")
    assert page.inner_text("#account-id") == account
    assert reason in page.inner_text(".summary")
    assert page.evaluate("window.pwned") is None
    assert page.locator("#view img, #view script").count() == 0


def test_the_token_travels_only_as_a_header(console: Console) -> None:
    page = console.page
    seen: list[tuple[str, str | None]] = []
    page.on("request", lambda r: seen.append((r.url, r.headers.get("authorization"))))
    console.open("/")
    api_calls = [(url, auth) for url, auth in seen if "/v1/" in url]
    assert api_calls and all(auth == f"Bearer {TOKEN}" for _, auth in api_calls)
    assert not any(TOKEN in url for url, _ in seen) and TOKEN not in page.url
    assert page.evaluate("document.cookie") == ""
    assert page.evaluate("sessionStorage.getItem('token')") == TOKEN


def test_a_refused_token_signs_out(console: Console, browser: Browser) -> None:
    page = browser.new_page()
    page.goto(f"{console.base}/console")
    page.fill("#token", TOKEN + "x")
    page.fill("#analyst", ANALYST)
    page.click("#sign-in button[type=submit]")
    page.wait_for_selector("#sign-in-error:has-text('refused')")
    assert page.evaluate("sessionStorage.getItem('token')") is None
    assert page.is_visible("#sign-in")
    page.close()


def test_the_console_is_served_with_a_strict_policy(console: Console) -> None:
    page = httpx.get(f"{console.base}/console", timeout=30)
    script = httpx.get(f"{console.base}/console/console.js", timeout=30)
    assert page.status_code == script.status_code == 200
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in CONTENT_SECURITY_POLICY
    assert "unsafe" not in CONTENT_SECURITY_POLICY
    assert page.headers["x-frame-options"] == "DENY"
    assert script.headers["content-type"].startswith("text/javascript")
    # Markup is never built from data: no innerHTML, outerHTML, insertAdjacentHTML or eval.
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script.text
    assert httpx.get(f"{console.base}/console/settings.py", timeout=30).status_code == 404
