"""The study pages with plain forms and links: no JavaScript needed, from visitor to summary."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

HTML = {"accept": "text/html"}


def token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def form_fields(html: str, action: str) -> dict[str, str]:
    form = html.split(f'action="{action}"', 1)[1].split("</form>", 1)[0]
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))


def test_a_visitor_studies_a_category_to_the_end_with_forms_alone(app, clock):
    visitor = TestClient(app)
    category = visitor.get("/categories/clustering").text
    assert "Study this category" in category
    r = visitor.post(
        "/study/start", data={"csrf_token": token(category), "scope": "category:clustering"}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/study/session?scope=category%3Aclustering")
    assert "glossa_session" in r.cookies  # the first study action made a guest
    page = visitor.get(r.headers["location"]).text
    seen = 0
    while "Done for now" not in page:
        assert "You study as a guest" in page and 'id="show-answer"' in page
        show = re.search(r'id="show-answer" href="([^"]+)"', page).group(1).replace("&amp;", "&")
        page = visitor.get(show).text
        assert "card-answer" in page and 'class="rate rate-3"' in page
        fields = form_fields(page, "/study/review")
        r = visitor.post("/study/review", data={**fields, "rating": "3"}, follow_redirects=False)
        assert r.status_code == 303
        clock.advance(seconds=20)
        page = visitor.get(r.headers["location"]).text
        seen += 1
        assert seen < 40
    assert seen >= 6 and "Cards seen</dt><dd>6</dd>" in page.replace("\n", "")


def test_the_buttons_say_when_each_card_comes_back_and_undo_goes_back(app):
    visitor = TestClient(app)
    home = visitor.get("/study").text
    r = visitor.post("/study/start", data={"csrf_token": token(home), "scope": "entry:inertia"})
    show = re.search(r'id="show-answer" href="([^"]+)"', r.text).group(1).replace("&amp;", "&")
    page = visitor.get(show).text
    assert [w.strip() for w in re.findall(r'class="rate-when">([^<]+)<', page)] == ["1 min", "6 min", "10 min", "8 d"]
    first_front = re.search(r'<h1 id="card-front" class="card-front">(.*?)</h1>', page, re.S).group(1)
    r = visitor.post("/study/review", data={**form_fields(page, "/study/review"), "rating": "4"})
    assert first_front not in r.text  # the next card
    r = visitor.post("/study/undo", data=form_fields(r.text, "/study/undo"))
    assert first_front in r.text  # back to the card just answered


def test_a_typed_answer_is_checked_forgivingly(app):
    visitor = TestClient(app)
    home = visitor.get("/study").text
    visitor.post("/study/start", data={"csrf_token": token(home), "scope": "entry:inertia"})
    url = "/study/session?scope=entry%3Ainertia&card=inertia%3Ameaning&show=1&answer=wcs"
    page = visitor.get(url).text
    assert "Not quite" in page
    page = visitor.get(url.replace("answer=wcs", "answer=Inertai")).text
    assert "Right" in page and 'value="3" class="rate rate-3" data-key="3"' in page.replace("\n      ", " ")
