"""Every main page works under the Content-Security-Policy: no inline script, no violation in the console."""

import pytest

from xiuhua.cases.models import Case

PAGES = {
    "operator": ["/", "/centre/intake/", "/cases/", "/cases/{number}/", "/map/", "/notices/"],
    "shift_leader": ["/", "/dashboard/", "/screen/", "/reports/monthly"],
    "dispatcher": ["/centre/dispatch/", "/evaluation/", "/cases/{number}/"],
    "leader": ["/dashboard/", "/evaluation/", "/map/"],
    "inspector": ["/m/", "/m/report/", "/m/me/", "/m/cases/{number}/"],
    "dept_zhifa": ["/department/", "/cases/{number}/"],
    "admin": ["/admin/", "/api/v1/docs"],
}
PUBLIC_PAGES = ["/public/", "/public/lookup/", "/login/"]


def csp_violations(page) -> list[str]:
    """Collect the console's CSP complaints and the document's securitypolicyviolation events."""
    found: list[str] = []
    page.on("console", lambda msg: found.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    return found


def _visit(page, server, path: str) -> None:
    response = page.goto(f"{server.url}{path}")
    assert response is not None and response.status < 400, f"{path}: {response and response.status}"
    assert "script-src 'self'" in (response.headers.get("content-security-policy") or ""), path
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("username", sorted(PAGES))
def test_main_pages_of_each_role_raise_no_csp_violation(page, server, log_in, loop, people, username):
    case = loop.report_by_inspector() if username == "inspector" else loop.to_dispatched()
    Case.objects.filter(pk=case.pk).update(assigned_inspector=people.inspector)
    violations = csp_violations(page)
    log_in(page, username)
    for path in PAGES[username]:
        _visit(page, server, path.format(number=case.number))
    assert violations == []


def test_public_pages_raise_no_csp_violation(page, server):
    violations = csp_violations(page)
    for path in PUBLIC_PAGES:
        _visit(page, server, path)
    assert violations == []
