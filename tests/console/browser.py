"""Helpers for the console's browser tests: one user's browser session (screenshots with
checks, login, menu navigation, logout), and dates on leave's own calendar."""

from __future__ import annotations

import datetime as dt
import re

from tests import dates

PASSWORD = "Demo-Branch-2026!"  # the demo users' demo-only password (README)
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}
# Every visible control has a name (a <label for>, aria-label, or a button's text), and the
# page is no wider than the screen (tables scroll inside their own box).
PAGE_CHECK = """() => {
  const named = (el) => (el.labels && el.labels.length) || el.getAttribute('aria-label')
    || (el.tagName === 'BUTTON' && el.textContent.trim());
  const shown = [...document.querySelectorAll('input, select, textarea, button')]
    .filter((el) => el.offsetParent !== null);
  return { unnamed: shown.filter((el) => !named(el)).map((el) => el.outerHTML.slice(0, 80)),
           overflow: document.documentElement.scrollWidth - window.innerWidth };
}"""


def working_days(stack):
    """`working(day)` on leave's own calendar (holidays, make-up days, overrides)."""
    admin = stack.admin_token()
    calendars: dict[int, dict[str, bool]] = {}

    def working(day: dt.date) -> bool:
        if day.year not in calendars:
            cal = stack.request("GET", "leave", f"/calendar?year={day.year}", token=admin).json()
            calendars[day.year] = {e["date"]: e["working"] for e in cal["exceptions"]}
        return calendars[day.year].get(day.isoformat(), day.weekday() < 5)

    return working


def six_working_days(working) -> tuple[str, str]:
    """A Monday at least three weeks ahead whose Monday-to-Monday span holds exactly six
    working days (no holiday inside, whatever the date), as ISO dates."""
    start, end = dates.six_working_days(working)
    return start.isoformat(), end.isoformat()


def a_working_day_after(working, day: str) -> str:
    """A working day more than a week after `day` (not adjoining it: routed on its own)."""
    found = dt.date.fromisoformat(day) + dt.timedelta(days=9)
    while not working(found):
        found += dt.timedelta(days=1)
    return found.isoformat()


class Session:
    """One user's browser context: a page, its screenshots, and every script error or CSP
    violation it met (the test fails on any)."""

    def __init__(self, browser, base: str, artifacts, who: str, viewport: dict[str, int]):
        self.context = browser.new_context(viewport=viewport, locale="zh-CN",
                                           timezone_id="Asia/Shanghai")
        self.page = self.context.new_page()
        self.base = base
        self.artifacts = artifacts
        self.who = who
        self.problems: list[str] = []
        self.expected: list[str] = []  # refusals the test provokes on purpose
        self.page.on("pageerror", lambda exc: self.problems.append(f"pageerror: {exc}"))
        self.page.on("console", lambda msg: self.problems.append(f"console: {msg.text}")
                     if msg.type == "error" else None)
        self.page.on("response", lambda resp: self.problems.append(
            f"{resp.status} {resp.request.method} {resp.url}") if resp.status >= 400 else None)
        self.page.set_default_timeout(30_000)  # a loaded CI machine, not a slow page

    def shot(self, name: str) -> None:
        """A screenshot of the page as it is, after checking names and width on it."""
        found = self.page.evaluate(PAGE_CHECK)
        assert found["unnamed"] == [], (name, found["unnamed"])
        assert found["overflow"] <= 0, (name, f"{found['overflow']} px wider than the screen")
        self.page.screenshot(path=str(self.artifacts / f"{self.who}-{name}.png"), full_page=True)

    def login(self, username: str, *, english: bool = False, clock: bool = False,
              password: str = PASSWORD) -> None:
        page = self.page
        if clock:  # the page's timers run on a clock the test moves (background refresh)
            page.clock.install()
        page.goto(f"{self.base}/console/")
        if english:
            page.get_by_role("button", name="Switch to English").click()
            assert page.locator("html").get_attribute("lang") == "en"
        self.shot("login")
        page.get_by_label("Username" if english else "用户名").fill(username)
        page.get_by_label("Password" if english else "密码").fill(password)
        page.keyboard.press("Enter")  # the keyboard submits the form
        page.locator("#page-title").wait_for()

    def go(self, link: str) -> None:
        """Through the menu; returns once that page is drawn (the router marks the link
        current and the view busy in one step, then the view not busy when it is drawn)."""
        nav = self.page.get_by_role("navigation")
        nav.get_by_role("link", name=link, exact=True).click()
        nav.locator('a[aria-current="page"]', has_text=link).wait_for()
        self.page.locator("#view:not([aria-busy])").wait_for()

    def refresh_token(self) -> str | None:
        return self.page.evaluate("sessionStorage.getItem('hr.console.refresh')")

    def logout(self, label: str = "退出") -> None:
        self.page.get_by_role("button", name=label).click()
        self.page.get_by_role("heading", name=re.compile("登录|Log in")).wait_for()
        assert self.page.evaluate("Object.keys(sessionStorage).length") == 0

    def close(self) -> None:
        self.context.close()


def set_override(session: Session, day: str) -> None:
    """On the leave policy page: `day` becomes a day off, with a note."""
    session.go("请假规则与日历")
    page = session.page
    page.locator("#override-day").fill(day)
    page.locator("#override-working").select_option("false")
    page.locator("#override-note").fill("console test")
    page.get_by_role("button", name="设置调整").click()


def working_run(working, n: int) -> list[str]:
    """`n` consecutive working days (no day off between them) at least three weeks ahead."""
    day = dt.date.today() + dt.timedelta(days=21)
    while True:
        run = []
        while working(day) and len(run) < n:
            run.append(day)
            day += dt.timedelta(days=1)
        if len(run) == n:
            return [d.isoformat() for d in run]
        day += dt.timedelta(days=1)


def a_ranged_rule(stack) -> dict:
    """A current rule with a deduction range whose confirmation withdraws no qualification
    (首问责任制's: 500–2000 yuan, no excellence that year)."""
    rules = stack.request("GET", "performance", "/rules?per_page=200",
                          token=stack.admin_token()).json()["items"]
    return next(r for r in rules if r["deduction_min"] is not None
                and r["consequence"] != "disqualification" and not r["severity_consequences"])
