"""The console's performance and cancellation forms in headless chromium, over real HTTP,
against the four services with the demo organisation: 张伟 (SB01's branch head) records an
incident about 彭飞 on his phone — out of the rule's range first (422 beside the field) — and
sees no confirm button on it; the server refuses his confirmation too (four-eyes), while
黄志明 (a second branch head of SB01) confirms it in English and the scorecard shows the
deduction; 彭飞 appeals and 郑海波 (hr of BR01) decides the appeal. 张伟 signs off last month
(审核) and a confirmation in it is refused (409, shown). Approved leave is cancelled from a date
on by the branch head and the balance shows the days back; the employee herself is refused.
Screenshots go to var/test-artifacts/console/<store>/<worker>/."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.console.browser import DESK, PASSWORD, a_ranged_rule, working_days, working_run
from tests.dates import shanghai_today

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture skips (fails under CI=true) without it
    expect = None

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

DEPUTY_PASSWORD = "Deputy-Head-2026!"


@pytest.fixture(scope="module")
def deputy(console_stack) -> str:
    """黄志明 (E0011, SB01's deputy head) as a second branch head of SB01: a reviewer who is
    not the recorder."""
    stack, _base = console_stack
    stack.person(stack.admin_token(), "huangzhiming", "E0011", "branch_head", "SB01",
                 DEPUTY_PASSWORD)
    return "huangzhiming"


def last_month_day() -> dt.date:
    """The 2nd of last month, as the browser counts months (signoff.js `lastMonth()`, in
    Asia/Shanghai)."""
    return (shanghai_today().replace(day=1) - dt.timedelta(days=1)).replace(day=2)


def test_an_incident_recorded_by_one_head_is_confirmed_by_another_and_appealed(
        user, console_stack, deputy):
    stack, _base = console_stack
    rule = a_ranged_rule(stack)
    low, high = f'{rule["deduction_min"]:g}', f'{rule["deduction_max"]:g}'

    with user("p1-zhangwei") as zhang:  # the recorder, on his phone
        zhang.login("zhangwei")
        page = zhang.page
        zhang.go("违规积分与考核")
        page.get_by_role("link", name="登记违规").click()
        page.get_by_role("heading", name="登记违规").wait_for()
        page.get_by_label("员工号").fill("E0024")
        page.keyboard.press("Tab")  # the keyboard moves on; the name appears
        expect(page.locator("#incident-employee-name")).to_have_text("彭飞 · SB01_GBD")
        page.get_by_label("违反条款").select_option(rule["code"])
        expect(page.locator("#incident-rule-facts")).to_contain_text(f"{low}–{high}")
        page.get_by_label("事实经过").fill("客户投诉属实 a verified complaint")
        page.get_by_label("扣罚金额（元）").fill(f"{float(high) + 1:g}")  # outside the rule's range
        zhang.expected += [f"422 POST {zhang.base}/performance/incidents",
                           "status of 422"]
        zhang.shot("record-incident")
        page.get_by_role("button", name="登记", exact=True).click()
        expect(page.locator("#incident-amount-error")).not_to_be_empty()  # beside the field
        expect(page.locator("#incident-amount")).to_have_attribute("aria-invalid", "true")
        zhang.shot("record-incident-422")
        page.get_by_label("扣罚金额（元）").fill(low)
        page.get_by_role("button", name="登记", exact=True).click()
        page.get_by_role("heading", name=re.compile(r"违规记录 #\d+")).wait_for()
        incident = int(re.search(r"#(\d+)", page.locator("#page-title").inner_text()).group(1))
        expect(page.locator("#incident-status")).to_have_text("已登记")
        expect(page.get_by_text("此记录由你登记")).to_be_visible()
        assert page.get_by_role("button", name="确认违规").count() == 0  # the recorder: none
        zhang.shot("recorded")
        zhang.go("违规积分与考核")
        expect(page.locator("#awaiting")).to_be_visible()  # drawn, not an error in its place
        expect(page.locator("#awaiting")).not_to_contain_text(f"#{incident}")

    # The server refuses the recorder's own confirmation (four-eyes) …
    recorder = stack.login("zhangwei", PASSWORD)
    refused = stack.request("POST", "performance", f"/incidents/{incident}/decision",
                            token=recorder, json={"decision": "confirm"})
    assert refused.status_code == 403, refused.text

    # … and lets another branch head of SB01 confirm it (the positive control).
    with user("p2-huangzhiming", viewport=DESK) as huang:
        huang.login(deputy, english=True, password=DEPUTY_PASSWORD)
        page = huang.page
        huang.go("Incidents & scorecards")
        # The awaiting list is the server's awaiting=me filter: its count is the server's
        # total of what this reader may decide, not the length of a page.
        total = stack.request("GET", "performance", "/incidents?awaiting=me&per_page=1",
                              token=stack.login(deputy, DEPUTY_PASSWORD)).json()["total"]
        assert total >= 1
        page.get_by_role("heading", name=f"Awaiting my decision ({total})").wait_for()
        page.locator("#awaiting").get_by_role("link", name=f"Open #{incident}").click()
        page.get_by_label("Comment (optional)").fill("核实无误")
        huang.shot("review")
        page.get_by_role("button", name="Confirm", exact=True).click()
        expect(page.locator("#incident-status")).to_have_text("confirmed")
        expect(page.locator("#status")).to_have_text(f"#{incident} is now confirmed.")
        # "Decided by" names the person who decided (from the signed trail), not a time alone.
        expect(page.locator("#view dl.facts").first).to_contain_text("Decided by黄志明")
        huang.go("Incidents & scorecards")
        page.get_by_label("Employee no.").fill("E0024")
        page.get_by_role("button", name="Show", exact=True).click()
        card = page.locator("#view dl.facts").first
        expect(card).to_contain_text(low)
        huang.shot("scorecard")
    scorecard = stack.request("GET", "performance",
                              f"/scorecards/E0024?period={shanghai_today().year}",
                              token=stack.admin_token()).json()
    assert float(scorecard["bonus_deducted"]) == float(low)

    with user("p3-pengfei") as peng:  # the subject appeals within the window
        peng.login("pengfei")
        peng.page.goto(f"{peng.base}/console/#/my-incidents")
        total = stack.request("GET", "performance", "/incidents?employee_no=E0024&per_page=1",
                              token=stack.login("pengfei", PASSWORD)).json()["total"]
        # the count is the list's total, not the length of the page the console fetched
        peng.page.get_by_role("heading", name=f"违规记录（{total}）").wait_for()
        peng.page.get_by_role("link", name=f"打开 #{incident}").click()
        peng.page.get_by_label("申诉理由").fill("投诉针对的是另一个柜台")
        peng.page.get_by_role("button", name="提出申诉").click()
        expect(peng.page.locator("#incident-status")).to_have_text("申诉中")
        peng.shot("appealed")

    with user("p4-zhenghaibo") as zheng:  # one level up: hr of the governing branch
        zheng.login("zhenghaibo")
        zheng.go("违规积分与考核")
        zheng.page.locator("#awaiting").get_by_role("link", name=f"打开 #{incident}").click()
        zheng.page.get_by_role("button", name="改判撤销").click()
        expect(zheng.page.locator("#incident-status")).to_have_text("已改判")
        zheng.shot("overturned")


def test_a_signed_off_period_is_frozen_and_its_incident_is_not_offered_for_confirmation(
        user, console_stack, deputy):
    stack, _base = console_stack
    rule = a_ranged_rule(stack)
    day = last_month_day()
    recorded = stack.request("POST", "performance", "/incidents",
                             token=stack.login("zhangwei", PASSWORD), json={
                                 "employee_no": "E0029", "rule": rule["code"],
                                 "occurred_on": day.isoformat(), "description": "上月的投诉",
                                 "deduction_amount": rule["deduction_min"]})
    assert recorded.status_code == 201, recorded.text
    incident = recorded.json()["id"]
    period = day.strftime("%Y-%m")

    with user("p5-zhangwei") as zhang:
        zhang.login("zhangwei")
        zhang.go("考核审核（签署期间）")
        page = zhang.page
        expect(page.get_by_label("机构代码")).to_have_value("SB01")
        expect(page.get_by_label("期间")).to_have_value(period)
        page.get_by_label("审核意见（可选）").fill("审核通过")
        page.get_by_role("button", name="签署审核").click()
        expect(page.locator("#status")).to_have_text(f"SB01 {period} 已签署审核，期间已冻结。")
        row = page.locator("#signoff-list tr", has_text=period)
        expect(row).to_contain_text("已冻结")
        zhang.shot("signed-off")

    with user("p6-huangzhiming") as huang:  # the reviewer may still dismiss, not confirm
        huang.login(deputy, password=DEPUTY_PASSWORD)
        huang.page.goto(f"{huang.base}/console/#/incident/{incident}")
        expect(huang.page.get_by_role("button", name="不予确认")).to_be_visible()
        expect(huang.page.get_by_role("button", name="确认违规")).to_have_count(0)
        expect(huang.page.locator("#incident-status")).to_have_text("已登记")
        huang.shot("frozen-no-confirmation")
    refused = stack.request("POST", "performance", f"/incidents/{incident}/decision",
                            token=stack.login(deputy, DEPUTY_PASSWORD),
                            json={"decision": "confirm"})
    assert refused.status_code == 409 and period in refused.json()["detail"]  # the server too


def test_approved_leave_is_cancelled_from_a_date_and_the_days_come_back(user, console_stack):
    stack, _base = console_stack
    days = working_run(working_days(stack), 3)
    tang = stack.login("tangmin", PASSWORD)
    filed = stack.request("POST", "leave", "/requests", token=tang, json={
        "type": "annual", "start_date": days[0], "end_date": days[-1],
        "reason": "探亲", "stand_in": "E0020"})
    assert filed.status_code == 201, filed.text
    request_id = filed.json()["id"]
    approved = stack.request("POST", "leave", f"/requests/{request_id}/decision",
                             token=stack.login("zhangwei", PASSWORD),
                             json={"decision": "approve"})
    assert approved.json()["status"] == "approved", approved.text

    with user("p7-tangmin") as requester:  # the requester is offered no cancellation …
        requester.login("tangmin")
        requester.page.goto(f"{requester.base}/console/#/requests/{request_id}")
        requester.page.get_by_text("已批准的请假由终审人或管辖行人力资源部销假。").wait_for()
        assert requester.page.get_by_role("button", name="销假").count() == 0
    refused = stack.request("POST", "leave", f"/requests/{request_id}/cancel", token=tang,
                            json={"from_date": days[1]})
    assert refused.status_code == 403, refused.text  # … and leave refuses her

    with user("p8-zhangwei") as zhang:  # the final approver cancels the last two days
        zhang.login("zhangwei")
        page = zhang.page
        page.goto(f"{zhang.base}/console/#/requests/{request_id}")
        remaining = float(page.locator("#balance-remaining").inner_text())
        page.get_by_label("范围").select_option("from")
        yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
        page.get_by_label("从此日起取消").fill(yesterday)  # a day already past: 422, beside it
        zhang.expected += [f"422 POST {zhang.base}/leave/requests/{request_id}/cancel",
                           "status of 422"]
        page.get_by_role("button", name="销假").click()
        expect(page.locator("#cancel-from-error")).not_to_be_empty()
        page.get_by_label("从此日起取消").fill(days[1])
        zhang.shot("cancel")
        page.get_by_role("button", name="销假").click()
        expect(page.locator("#status")).to_have_text(
            f"#{request_id} 已销假，退回 2 天；现在「已批准」。")
        expect(page.locator("#view dl.facts").first).to_contain_text(f"{days[0]} – {days[0]}")
        expect(page.locator("#balance-remaining")).to_have_text(re.compile(
            rf"^{remaining + 2:g}(\.0)?$"))
        zhang.shot("cancelled")


def test_an_aggravated_discretionary_incident_above_the_cap_goes_to_hr(user, console_stack):
    """冯建华 (dept manager, cap 100 yuan) records an aggravated case of a rule without a range:
    the points and the reason appear only for "aggravated", the amount is discretionary.
    Above his cap it is hr's to confirm: 张伟 (branch head) is offered no button, 郑海波 is."""
    stack, _base = console_stack
    rules = stack.request("GET", "performance", "/rules?per_page=200",
                          token=stack.admin_token()).json()["items"]
    rule = next(r for r in rules if r["deduction_min"] is None and r["points"]
                and r["severities"] == ["aggravated"] and not r["consequence"])
    with user("p9-fengjianhua") as feng:
        feng.login("fengjianhua")
        page = feng.page
        page.goto(f"{feng.base}/console/#/record-incident")
        page.get_by_label("员工号").fill("E0024")
        page.get_by_label("违反条款").select_option(rule["code"])
        assert page.locator("#incident-severity option").all_inner_texts() == ["一般", "情节严重"]
        expect(page.get_by_label("加重后的积分")).to_be_hidden()
        page.get_by_label("情节").select_option("aggravated")
        page.get_by_label("加重后的积分").fill(str(rule["points"] + 5))
        page.get_by_label("事实经过").fill("多次诋毁同事抢夺客户")
        page.get_by_label("酌情扣罚金额（元，可选）").fill("150")
        page.get_by_label("加重或酌情扣罚的理由（报告原因）").fill("屡教不改")
        feng.shot("record-aggravated")
        page.get_by_role("button", name="登记", exact=True).click()
        page.get_by_role("heading", name=re.compile(r"违规记录 #\d+")).wait_for()
        incident = int(re.search(r"#(\d+)", page.locator("#page-title").inner_text()).group(1))
        expect(page.locator("#view dl.facts")).to_contain_text("超出登记人权限额度")
    recorded = stack.request("GET", "performance", f"/incidents/{incident}",
                             token=stack.admin_token()).json()
    assert (recorded["points"], recorded["over_cap"]) == (rule["points"] + 5, True)

    with user("p10-zhangwei") as zhang:
        zhang.login("zhangwei")
        zhang.page.goto(f"{zhang.base}/console/#/incident/{incident}")
        expect(zhang.page.locator("#incident-status")).to_have_text("已登记")
        assert zhang.page.get_by_role("button", name="确认违规").count() == 0
    with user("p11-zhenghaibo") as zheng:
        zheng.login("zhenghaibo")
        zheng.go("违规积分与考核")
        zheng.page.locator("#awaiting").get_by_role("link", name=f"打开 #{incident}").click()
        zheng.page.get_by_role("button", name="确认违规").click()
        expect(zheng.page.locator("#incident-status")).to_have_text("已确认")
