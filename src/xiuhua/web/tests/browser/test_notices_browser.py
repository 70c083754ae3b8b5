"""The notice inbox in a browser: the bell counts what asks for action, rows are per case, 全部已读 empties the bell."""

from __future__ import annotations

from django.conf import settings
from playwright.sync_api import expect

from xiuhua.notify.models import Notice, NoticeKind

SCREENSHOT = settings.PROJECT_DIR / "docs" / "screenshots" / "notices.png"


def test_a_department_reads_its_notices_per_case_and_marks_them_all_read(page, log_in, server, loop, people):
    cases = [loop.to_dispatched() for _ in range(3)]
    loop.act(cases[0], "urge", people.leader, note="请今天处置完毕")
    Notice.objects.create(recipient=people.zhifa, kind=NoticeKind.INFO, title="系统将于今晚 22:00 维护")
    page.set_viewport_size({"width": 1366, "height": 800})
    log_in(page, "dept_zhifa")

    bell = page.get_by_test_id("inbox")
    expect(bell.locator(".badge")).to_have_text("4")  # three dispatch tasks and the urge; not the information
    bell.click()
    expect(page.get_by_test_id("notice-row")).to_have_count(3)  # 待办: one row per case
    page.goto(f"{server.url}/notices/")
    expect(page.get_by_test_id("notice-row")).to_have_count(4)
    expect(page.locator(f"[data-case='{cases[0].number}'] [data-testid=notice-count]")).to_have_text("2 条消息")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))

    page.get_by_test_id("read-all").click()
    expect(bell.locator(".badge")).to_have_count(0)
    expect(page.get_by_test_id("notice-row")).to_have_count(4)
