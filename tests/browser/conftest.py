"""Real-browser journeys: Debian's chromium driven by Playwright against the live server.

- One browser for the whole browser suite (package scope: it closes after the last
  browser test, so the Playwright event loop never leaks into the rest of the suite);
  a fresh context per test.
- ``demo``: the demo data, restored before each test from a copy made once.
- ``page``: a zh-CN page whose relative URLs go to the live server; a server error
  (5xx), an uncaught script error or a Content-Security-Policy violation fails the test.
- ``login(page, username)``: the login form, TOTP and password change included.
- A failing test leaves a full-page screenshot in test-results/browser/<test>.png.

Without chromium the journeys skip (locally) or fail (when ``CI`` is set).
"""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest

from weibao.testing import browser as support
from weibao.testing.demo import demo_snapshot


@pytest.fixture(scope="package")
def browser():
    executable = support.find_chromium()
    if executable is None:
        message = (
            f"chromium not found at {support.CHROMIUM_PATH} nor on PATH; install Debian's "
            "package (`make browser`) to run the browser journeys"
        )
        if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)

    from playwright.sync_api import sync_playwright

    # The Playwright sync API keeps an event loop marked as running in this thread while
    # the browser is open; Django refuses ORM calls there unless told it is safe. It is:
    # the ORM calls of these tests run between browser calls, never inside the loop.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=executable, args=support.CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def _serial_server(live_server):
    """pytest-django's live server, one request at a time (see ``SerialApp``), with
    Nagle's algorithm off (wsgiref writes headers and body apart: 40 ms per page)."""
    from django.test.testcases import QuietWSGIRequestHandler

    httpd = live_server.thread.httpd
    original = httpd.get_app()
    serial = support.SerialApp(original)
    httpd.set_app(serial)
    nagle = QuietWSGIRequestHandler.disable_nagle_algorithm
    QuietWSGIRequestHandler.disable_nagle_algorithm = True
    yield serial
    QuietWSGIRequestHandler.disable_nagle_algorithm = nagle
    httpd.set_app(original)


@pytest.fixture(scope="package")
def _demo_snapshot():
    return demo_snapshot()  # shared with the demo-data modules this process runs


@pytest.fixture
def demo(browser, live_server, transactional_db, _serial_server, _demo_snapshot):
    """The demo data of ``weibao.demo.load_all``: the seed contract HTDZ202602135 with
    its team, and the unrelated second contract of ``other_pm``."""
    from weibao.contracts.models import Contract

    _serial_server.drain()
    _demo_snapshot.load()
    yield SimpleNamespace(
        seed=Contract.objects.get(number="HTDZ202602135"),
        other=Contract.objects.get(number="HTDZ202601077"),
        url=live_server.url,
    )
    # The browser context is closed by now; let a request in flight finish before the
    # database is emptied.
    _serial_server.drain()


@pytest.fixture
def context(browser, live_server, demo):
    ctx = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        accept_downloads=True,
    )
    ctx.set_default_timeout(support.DEFAULT_TIMEOUT_MS)
    ctx.add_init_script(support.NO_FAVICON_SCRIPT)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context, request):
    page = context.new_page()
    problems: list[str] = []

    def on_response(response):
        if response.status >= 500:
            problems.append(f"{response.status} from {response.request.method} {response.url}")

    def on_console(message):
        if message.type == "error" and "Content Security Policy" in message.text:
            problems.append(f"console: {message.text}")

    page.on("response", on_response)
    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.append(f"script error: {exc}"))
    yield page
    if problems and not page.is_closed():
        # This failure is reported at teardown, which the report hook does not photograph.
        target = support.results_dir(request.config.rootpath) / f"{support.safe_filename(request.node.name)}.png"
        try:
            page.screenshot(path=str(target), full_page=True)
            problems.append(f"screenshot: {target}")
        except Exception as exc:  # noqa: BLE001 - a screenshot must not hide the failure
            problems.append(f"no screenshot ({exc})")
    assert not problems, f"the browser saw problems: {problems}"


@pytest.fixture
def login(demo):
    """``login(page, "pm")``: log in through the form with the demo password."""
    return support.login


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when not in ("setup", "call") or not report.failed:
        return
    page = item.funcargs.get("page") if hasattr(item, "funcargs") else None
    if page is None or page.is_closed():
        return
    target = support.results_dir(item.config.rootpath) / f"{support.safe_filename(item.name)}.png"
    try:
        page.screenshot(path=str(target), full_page=True)
    except Exception as exc:  # noqa: BLE001 - a screenshot must not hide the failure
        report.sections.append(("browser screenshot", f"could not save {target}: {exc}"))
    else:
        report.sections.append(("browser screenshot", str(target)))
