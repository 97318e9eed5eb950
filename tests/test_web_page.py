"""The page in a real browser (Debian's chromium driven by Playwright) against a real
`matdiff serve` on a loopback port. Under CI (env CI set) chromium must exist; elsewhere the
tests skip when it is missing."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from support.webserver import running_server

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
WAIT_MS = 20_000  # generous: the machine may be busy
if not os.environ.get("CI"):  # under CI a missing browser or Playwright is a failure
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no browser at {CHROMIUM}", allow_module_level=True)
    pytest.importorskip("playwright.sync_api")
from playwright.sync_api import expect, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def server():
    with running_server("--workers", "2", "--timeout", "30") as (url, _):
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Visit:
    """A page, with every request it makes recorded; requests off loopback are refused."""

    def __init__(self, browser, server: str):
        self.context = browser.new_context()
        self.page = self.context.new_page()
        self.server = server
        self.requested: list[str] = []
        self.context.route("**/*", self._route)

    def _route(self, route):
        url = route.request.url
        self.requested.append(url)
        if urlsplit(url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            route.abort()

    def open(self, **query):
        self.page.goto(self.server + "/" + ("?" + urlencode(query) if query else ""))
        return self.page

    def text(self, testid: str) -> str:
        return self.page.get_by_test_id(testid).inner_text()

    def wait_for_result(self, text: str) -> None:
        self.page.wait_for_function(
            "t => document.querySelector('[data-testid=result-text]').textContent === t",
            arg=text, timeout=WAIT_MS)
        assert self.page.locator("[data-testid=result] .katex").count() == 1


@pytest.fixture
def visit(browser, server):
    v = Visit(browser, server)
    yield v
    v.context.close()


def test_typing_shows_the_katex_result(visit):
    page = visit.open()
    page.get_by_test_id("expr").fill("x'*A*x")
    page.get_by_test_id("wrt").fill("x")
    page.get_by_test_id("vars").fill("A: matrix(n,n)")
    visit.wait_for_result("(A + A')*x")
    assert visit.text("dims") == "n×1"
    assert "expr=x%27*A*x" in page.url or "expr=x'*A*x" in page.url


def test_layout_change(visit):
    page = visit.open(expr="A*x", wrt="x")
    visit.wait_for_result("A")
    page.get_by_test_id("layout").select_option("denominator")
    visit.wait_for_result("A'")
    assert "layout=denominator" in page.url


def test_bad_expression_shows_the_error_and_nothing_stale(visit):
    page = visit.open(expr="sum(x)", wrt="x")
    visit.wait_for_result("vector(1)")
    page.get_by_test_id("expr").fill("x + * y")
    error = page.get_by_test_id("error")
    error.wait_for(state="visible", timeout=WAIT_MS)
    assert "ParseError" in error.inner_text()
    assert error.locator("mark").inner_text() == "*"
    assert visit.text("result-text") == "" and not page.get_by_test_id("result").is_visible()
    assert page.locator("#detected .variable").count() == 0


def test_shared_url_reproduces_the_result(visit):
    page = visit.open(expr="x'*A*x", wrt="x", vars="A: matrix(n,n) symmetric",
                      layout="numerator")
    visit.wait_for_result("2*x'*A")
    assert page.get_by_test_id("vars").input_value() == "A: matrix(n,n) symmetric"
    assert page.get_by_test_id("layout").input_value() == "numerator"
    assert visit.text("dims") == "1×n"


def test_example_click_and_back(visit):
    page = visit.open(expr="sum(x)", wrt="x")
    visit.wait_for_result("vector(1)")
    example = page.get_by_test_id("examples").get_by_test_id("example")
    assert example.count() >= 12
    page.get_by_test_id("example").filter(has_text="Least squares").click()
    visit.wait_for_result("2*A'*(A*x - y)")
    assert page.get_by_test_id("expr").input_value() == "norm2(A*x - y)^2"
    page.go_back()
    visit.wait_for_result("vector(1)")
    assert page.get_by_test_id("expr").input_value() == "sum(x)"
    page.go_forward()
    visit.wait_for_result("2*A'*(A*x - y)")


def test_explanation_code_and_check_tabs(visit):
    page = visit.open(expr="sum(log(exp(-y.*(X*w)) + vector(1)))", wrt="w")
    visit.wait_for_result("-X'*(y.*sigmoid(-y.*(X*w)))")
    explain = page.get_by_test_id("explain")
    explain.locator(".katex").nth(5).wait_for(timeout=WAIT_MS)  # they come after the result
    assert explain.is_visible()
    page.get_by_role("tab", name="Code").click()
    expect(page.get_by_test_id("code")).to_contain_text("def derivative(", timeout=WAIT_MS)
    assert "np." in visit.text("code")
    page.get_by_test_id("code-target").select_option("torch")
    expect(page.get_by_test_id("code")).to_contain_text("torch.", timeout=WAIT_MS)
    page.get_by_role("tab", name="Check").click()
    expect(page.get_by_test_id("check")).to_contain_text("✓", timeout=WAIT_MS)


def test_hessian_and_index_notation(visit):
    page = visit.open(expr="x'*A*x", wrt="x")
    visit.wait_for_result("(A + A')*x")
    page.get_by_test_id("hessian").check()
    visit.wait_for_result("A + A'")
    page.get_by_test_id("example").filter(has_text="3 axes").click()
    visit.page.wait_for_function(
        "() => document.querySelector('[data-testid=result-text]').textContent.startsWith('D[')",
        timeout=WAIT_MS)
    assert "index" in page.locator("#axes").inner_text()


def test_the_page_requests_nothing_off_loopback(visit):
    page = visit.open(expr="-0.5*logdet(P) + 0.5*(x - mu)'*P*(x - mu)", wrt="P",
                      vars="P: matrix(n,n) symmetric;mu: vector(n)")
    visit.wait_for_result("0.5*((x - mu)*(x - mu)' - inv(P))")
    page.evaluate("document.fonts.ready")
    for tab in ("Code", "Check", "Steps"):
        page.get_by_role("tab", name=tab).click()
    page.wait_for_load_state("networkidle")
    assert visit.requested, "no request recorded"
    assert any(u.endswith(".woff2") for u in visit.requested)
    off = [u for u in visit.requested if urlsplit(u).hostname not in ("127.0.0.1", "localhost")]
    assert off == []
    response = page.request.get(visit.server + "/")
    assert "default-src 'self'" in response.headers["content-security-policy"]


def test_keyboard_only(visit):
    page = visit.open()
    page.get_by_test_id("expr").focus()
    page.keyboard.type("sin(a)*b")
    page.keyboard.press("Tab")  # to the wrt box
    page.keyboard.press("Control+a")
    page.keyboard.type("b")
    visit.wait_for_result("sin(a)")
    page.get_by_role("tab", name="Steps").focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_test_id("code")).to_be_visible(timeout=WAIT_MS)


def test_detected_variables_pick_wrt_and_edit_types(visit):
    page = visit.open(expr="x'*A*x + c*x'*y", wrt="x")
    visit.wait_for_result("(A + A')*x + c*y")
    variables = page.locator("#detected .variable")
    assert variables.count() == 4
    page.locator("#detected button", has_text="matrix(n,n)").click()
    assert page.get_by_test_id("vars").input_value() == "A: matrix(n,n)"
    page.keyboard.press("End")
    page.keyboard.type(" symmetric")
    visit.wait_for_result("2*A*x + c*y")
    page.get_by_role("button", name="c", exact=True).click()
    visit.wait_for_result("x'*y")
    assert page.get_by_test_id("wrt").input_value() == "c"
