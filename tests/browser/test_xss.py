"""Hostile content and queries, opened in the real browser: no script may run."""

from urllib.parse import quote

import pytest

from tests.browser.conftest import serve
from tests.conftest import write_content
from tests.robustness.safety import unsafe_parts

pytestmark = pytest.mark.browser

PAYLOADS = [
    "<script>alert('s1')</script>",
    "<img src=x onerror=alert('s2')>",
    "<svg onload=alert('s3')>",
    "<svg><script>alert('s4')</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('s5')>",
    "<a href=\"javascript:alert('s6')\">j</a>",
    "<a href=\"JaVaScRiPt&colon;alert('s7')\">j2</a>",
    "<a href=\"&#106;avascript:alert('s8')\">j3</a>",
    "<iframe src=\"data:text/html,<script>alert('s9')</script>\"></iframe>",
    '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgnczEwJyk8L3NjcmlwdD4="></object>',
    "<body onload=alert('s11')>",
    "<details open ontoggle=alert('s12')>",
    "<input autofocus onfocus=alert('s13')>",
    "<scr<script>ipt>alert('s14')</scr</script>ipt>",
    "<<img src=x onerror=alert('s15')//<",
    "<div style=\"background:url(javascript:alert('s16'))\">x</div>",
    "[click](javascript:alert('s17'))",
    "![img](javascript:alert('s18'))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<form action=\"javascript:alert('s19')\"><button>go</button></form>",
    "<base href=\"javascript:alert('s20')//\">",
    "&lt;script&gt;alert('s21')&lt;/script&gt;",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(\'s22\')">',
]


def yaml_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("xss")
    files = {}
    for i, payload in enumerate(PAYLOADS):
        body = "\n\n".join(
            [payload, f"Label [[target|{payload}]] and [[{payload}]].", f"Inline `{payload}` text.", f"$x{payload}$"]
        )
        files[f"hostile/p{i:02d}.md"] = (
            f"---\ntitle: {yaml_quote('Entry ' + str(i) + ' ' + payload)}\n"
            f"aliases: [{yaml_quote(payload)}]\ntags: [{yaml_quote(payload[:40])}]\n"
            f"summary: {yaml_quote(payload)}\ncategory: {yaml_quote('Cat ' + payload[:20])}\n---\n{body}\n"
        )
    files["hostile/target.md"] = "---\ntitle: Target\n---\nThe target of hostile links.\n"
    content = write_content(root / "content", files)
    with serve(content, root / "data", watch=False) as (url, _app):
        yield url


def test_hostile_pages_run_no_script(browser, hostile_site):
    context = browser.new_context()
    page = context.new_page()
    events = []
    page.on("dialog", lambda d: (events.append("dialog: " + d.message), d.dismiss()))
    page.on("pageerror", lambda e: events.append(f"pageerror: {e}"))
    urls = ["/", "/az", "/categories", "/tags", "/graph", "/entries/target"]
    urls += [f"/entries/p{i:02d}" for i in range(len(PAYLOADS))]
    urls += [f"/search?q={quote(p)}" for p in PAYLOADS[:8]]
    for path in urls:
        page.goto(hostile_site + path)
        page.wait_for_load_state("networkidle")
        page.mouse.move(200, 300)
        for link in page.locator("main a").all()[:5]:
            link.hover()
        assert unsafe_parts(page.locator("main").inner_html()) == [], path
    assert events == []
    context.close()


def test_payload_typed_into_search_box_is_echoed_as_text(browser, hostile_site):
    context = browser.new_context()
    page = context.new_page()
    events = []
    page.on("dialog", lambda d: (events.append(d.message), d.dismiss()))
    payload = "<img src=x onerror=alert('typed')>"
    page.goto(hostile_site + "/")
    page.fill("#home-search", payload)
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    assert page.locator("#page-search").input_value() == payload
    assert payload in page.title()  # echoed, as text
    assert unsafe_parts(page.locator("main").inner_html()) == []
    assert events == []
    context.close()
