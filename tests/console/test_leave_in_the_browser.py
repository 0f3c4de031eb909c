"""The console in headless chromium, over real HTTP, against the four running services and
the console's server: 唐敏 (a teller at SB01) files six working days on her phone, sees the
live count and the two-step route; 张伟 (SB01's branch head) approves it as the preliminary
review (初审) in English; 郑海波 (hr of BR01) approves it finally; 唐敏 sees "已批准". Then
HR's pages, each with what it is for. Screenshots of every page go to
var/test-artifacts/console/<store>/<worker>/."""

from __future__ import annotations

import re

import pytest

from tests.console.browser import (
    DESK,
    a_working_day_after,
    set_override,
    six_working_days,
    working_days,
)
from tests.dates import shanghai_today

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture skips (fails under CI=true) without it
    expect = None

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_six_days_reviewed_by_the_head_and_approved_by_hr_in_the_browser(user, console_stack):
    stack, _base = console_stack
    working = working_days(stack)
    start, end = six_working_days(working)

    with user("1-tangmin") as tang:
        tang.login("tangmin", clock=True)
        page = tang.page
        assert page.locator("#page-title").inner_text() == "我的请假"
        expect(page.locator("#who")).to_have_text("唐敏 · 员工@SB01_HALL")  # GET /auth/me
        # An employee's menu offers their own leave and record, no approvals; the branch
        # head's does (below).
        assert page.get_by_role("navigation").get_by_role("link").all_inner_texts() == [
            "我的请假", "我的考核"]
        tang.shot("my-leave")
        # The access token is renewed in the background before it expires (300 s): the
        # refresh token rotates; a reload keeps the sign-in (the tab holds the new one).
        first = tang.refresh_token()
        page.clock.fast_forward("04:40")
        page.wait_for_function("(old) => sessionStorage.getItem('hr.console.refresh') !== old",
                               arg=first)
        page.reload()
        page.get_by_role("heading", name="我的请假", exact=True).wait_for()
        page.get_by_label("假别").select_option("personal")
        page.get_by_label("开始日期").fill(start)
        page.get_by_label("结束日期").fill(end)
        page.get_by_label("事由").fill("家中有事 family matters")
        page.get_by_label("顶岗人", exact=True).select_option("E0020")
        # The live count and the route, before anything is filed.
        expect(page.locator("#quote")).to_have_text(
            "共 6 个工作日 · 审批路径：支行行长初审 → 分行人力资源部终审")
        tang.shot("new-request")
        page.get_by_role("button", name="提交申请").click()
        page.get_by_role("heading", name=re.compile(r"请假申请 #\d+")).wait_for()
        request_id = int(re.search(r"#(\d+)", page.locator("#page-title").inner_text()).group(1))
        assert page.locator("#request-status").inner_text() == "审批中"
        tang.shot("filed")
        signed_in = tang.refresh_token()
        tang.logout()
    # Logging out revoked the sign-in at auth: its refresh token no longer works.
    reuse = stack.http.post(stack.url("auth", "/token"), timeout=10, data={
        "grant_type": "refresh_token", "refresh_token": signed_in})
    assert reuse.status_code == 400 and reuse.json()["error"] == "invalid_grant", reuse.text

    filed = stack.request("GET", "leave", f"/requests/{request_id}",
                          token=stack.admin_token()).json()
    assert (filed["days"], filed["start_date"], filed["end_date"]) == (6, start, end)
    assert [(s["role"], s["final"]) for s in filed["steps"]] == [
        ("branch_head", False), ("hr", True)]

    with user("2-zhangwei") as zhang:  # the branch head, on his phone, in English
        zhang.login("zhangwei", english=True)
        assert "Approvals" in zhang.page.get_by_role("navigation").get_by_role(
            "link").all_inner_texts()
        zhang.go("Approvals")
        card = zhang.page.locator("li.card", has=zhang.page.get_by_role(
            "heading", name=re.compile(rf"^#{request_id} ")))
        assert "review" in card.inner_text()  # 初审: not the final step
        zhang.shot("inbox")
        card.get_by_label("Comment (optional)").fill("初审同意")
        card.get_by_role("button", name="Approve").click()
        zhang.page.get_by_text(f"Approved #{request_id}: now pending.").wait_for()
        zhang.page.get_by_text("Nothing awaits your decision.").wait_for()  # redrawn
        zhang.shot("inbox-after")
        zhang.go("Team calendar")
        # Month by month to the one the leave starts in: who is away, who stands in. (The
        # page opens on the browser's month, in Asia/Shanghai: Next until it shows that one.)
        for _ in range(24):
            shown = zhang.page.locator("#team-month").get_attribute("data-month")
            if shown == start[:7]:
                break
            assert shown < start[:7], (shown, start)
            zhang.page.get_by_role("button", name="Next").click()
            zhang.page.locator(f'#team-month:not([data-month="{shown}"])').wait_for()
        else:
            raise AssertionError(f"the team calendar never showed {start[:7]}")
        month = zhang.page.locator("#team-month").get_attribute("data-month")
        zhang.page.get_by_role("button", name="Next").click()  # and back again
        zhang.page.locator(f'#team-month:not([data-month="{month}"])').wait_for()
        zhang.page.get_by_role("button", name="Previous").click()
        zhang.page.locator(f'#team-month[data-month="{month}"]').wait_for()
        away = zhang.page.locator("#view table tr", has_text=f"#{request_id}").first
        expect(away).to_contain_text("(E0019)")
        expect(away).to_contain_text("(E0020)")  # the stand-in, by name
        zhang.shot("team-calendar")
        zhang.logout("Log out")

    with user("3-zhenghaibo", viewport=DESK) as zheng:  # hr of the governing branch
        zheng.login("zhenghaibo")
        zheng.go("待我审批")
        card = zheng.page.locator("li.card", has=zheng.page.get_by_role(
            "heading", name=re.compile(rf"^#{request_id} ")))
        zheng.shot("inbox")
        card.get_by_role("button", name="批准").click()
        zheng.page.get_by_text(f"已批准 #{request_id}：现在「已批准」。").wait_for()
        zheng.page.goto(f"{zheng.base}/console/#/requests/{request_id}")
        zheng.page.get_by_text("轨迹完整，3 条记录，校验通过。").wait_for()
        zheng.shot("trail")
        zheng.logout()

    with user("4-tangmin") as tang:
        tang.login("tangmin")
        row = tang.page.locator("tr", has=tang.page.get_by_role("link", name=f"#{request_id}"))
        assert "已批准" in row.inner_text()
        tang.shot("approved")
        # One day, later: the form names the one-step route; filed, then withdrawn.
        day = a_working_day_after(working, end)
        page = tang.page
        page.get_by_label("假别").select_option("personal")
        page.get_by_label("开始日期").fill(day)
        page.get_by_label("结束日期").fill(day)
        page.get_by_label("事由").fill("体检")
        page.get_by_label("顶岗人", exact=True).select_option("E0020")
        expect(page.locator("#quote")).to_have_text(
            "共 1 个工作日 · 审批路径：支行行长审批（终审）")
        page.get_by_role("button", name="提交申请").click()
        page.get_by_role("button", name="撤回申请").click()
        expect(page.locator("#request-status")).to_have_text("已撤回")
        tang.shot("withdrawn")

    # Her stand-in 许文博 (E0020) sees the leave he covers on his own page.
    stack.person(stack.admin_token(), "xuwenbo", "E0020", "employee", "SB01_HALL",
                 "Stand-1n-Passw0rd!")
    with user("5-xuwenbo") as xu:
        xu.login("xuwenbo", password="Stand-1n-Passw0rd!")
        covering = xu.page.locator("section", has=xu.page.get_by_role(
            "heading", name="我顶岗的请假"))
        expect(covering.get_by_role("link", name=f"#{request_id}")).to_be_visible()
        xu.shot("covering")


def test_hr_finds_the_organisation_catalogue_policy_and_rulebooks(user, console_stack):
    stack, _base = console_stack
    with user("6-zhenghaibo", viewport=DESK) as zheng:  # hr of BR01
        zheng.login("zhenghaibo")
        for link, shows in (("团队日历", r"团队日历"), ("员工", r"共 [1-9]\d* 人。"),
                            ("岗位职责", r"岗位职责"), ("请假规则与日历", r"现行规则（第 \d+ 版）"),
                            ("规章", r"共 [1-9]\d* 条。"), ("违规积分与考核", r"员工考核卡")):
            zheng.go(link)
            assert zheng.page.locator("#page-title").inner_text() != "出错了", link
            assert re.search(shows, zheng.page.locator("#view").inner_text()), link
            zheng.shot(f"page-{link}")
        chart = zheng.page.locator("img.plot")  # performance's chart, drawn from a blob
        zheng.page.wait_for_function("(img) => img.complete && img.naturalWidth > 0",
                                     arg=chart.element_handle())
        zheng.page.get_by_label("员工号").fill("E0019")  # 唐敏's scorecard for the year
        zheng.page.get_by_role("button", name="查看").click()
        expect(zheng.page.locator("#view dl.facts").first).to_contain_text("唐敏 (E0019)")
        zheng.go("员工")
        zheng.page.get_by_label("按姓名或员工号查找").fill("唐敏")
        zheng.page.get_by_role("button", name="查找").click()
        zheng.page.get_by_text("共 1 人。").wait_for()
        zheng.go("规章")  # one rulebook of several
        book = zheng.page.locator("#rulebook option").nth(1).get_attribute("value")
        zheng.page.get_by_label("规章制度").select_option(book)
        books = zheng.page.locator("#view tbody tr td:first-child").all_inner_texts()
        assert books and set(books) == {book}
        zheng.go("岗位职责")  # a position and its duties (岗位职责), one tap away
        zheng.page.locator("#view table a").first.click()
        zheng.page.locator("#view ol li").first.wait_for()  # the duties, numbered
        zheng.shot("position")
        # HR's calendar overrides need leave:policy over the whole organisation: hr of BR01
        # is refused (leave's 403, shown), the admin (below) sets the same override.
        # In no span the leave test files; in the year the policy page opens on (the browser's).
        day = f"{shanghai_today().year}-01-02"
        zheng.expected += [f"403 PUT {zheng.base}/leave/calendar/overrides/{day}",
                           "status of 403 (Forbidden)"]
        set_override(zheng, day)
        expect(zheng.page.locator("#view .error").last).to_contain_text("无权操作")
        zheng.go("组织架构")
        zheng.page.locator("#org-chart svg").wait_for()
        zheng.shot("org-chart")
        unit = zheng.page.locator('#org-chart g[data-unit="SB01"]')  # by keyboard
        unit.focus()
        zheng.page.keyboard.press("Enter")
        zheng.page.get_by_role("heading", name=re.compile(r"\(SB01\)$")).wait_for()
        zheng.shot("org-unit-SB01")
        zheng.logout()

    with user("7-admin", viewport=DESK) as admin:
        admin.login(stack.admin_username, password=stack.admin_password)
        set_override(admin, day)
        admin.page.get_by_text(f"{day} 已调整").wait_for()
        overrides = admin.page.locator("#view table", has_text="console test").first  # redrawn
        expect(overrides).to_contain_text(day)
        admin.shot("calendar-override")
        assert any(o["date"] == day and o["working"] is False for o in stack.request(
            "GET", "leave", f"/calendar?year={day[:4]}", token=stack.admin_token()
        ).json()["overrides"])
