import pytest

from tests.conftest import SAMPLE_SLUGS


def test_home_lists_categories_and_starters(client):
    r = client.get("/")
    assert r.status_code == 200
    assert 'name="q"' in r.text
    assert 'href="/categories/clustering">Clustering</a> <span class="count">3</span>' in r.text
    assert 'href="/entries/k-means"' in r.text
    assert r.headers["link"] == '</api/categories>; rel="alternate"; type="application/json"'


def test_entry_page(client):
    r = client.get("/entries/k-means")
    assert r.status_code == 200
    html = r.text
    assert "<h1>K-means clustering</h1>" in html
    assert "Also called: k means, kmeans, KMC" in html
    assert 'href="/tags/clustering"' in html
    assert "Linked from" in html and 'href="/entries/inertia"' in html
    assert 'class="toc"' in html  # three headings
    assert 'href="/entries/hierarchical-clustering">agglomerative methods</a>' in html
    assert 'href="/quiz?scope=entry:k-means">Quiz on these</a>' in html
    quiz = client.get("/quiz?scope=entry:k-means").text
    assert 'value="entry:k-means" selected' in quiz
    assert "Related entries" not in html  # everything close to k-means is linked already
    assert '<link rel="alternate" type="application/json" href="/api/entries/k-means">' in html
    related = client.get("/entries/inertia").text.split("Related entries")[1].split("</section>")[0]
    assert 'href="/entries/hierarchical-clustering"' in related and 'href="/entries/k-means"' not in related


def test_alias_and_title_redirect_to_canonical(client):
    for name in ("rnn", "RNN", "Recurrent neural network"):
        r = client.get(f"/entries/{name}", follow_redirects=False)
        assert r.status_code == 301 and r.headers["location"] == "/entries/recurrent-neural-network"


@pytest.mark.parametrize("url", ["/categories", "/categories/clustering", "/tags", "/tags/clustering", "/az"])
def test_browse_pages(client, url):
    r = client.get(url)
    assert r.status_code == 200
    assert 'href="/entries/inertia"' in r.text or 'href="/categories/clustering"' in r.text or "#clustering" in r.text


def test_az_has_letter_bar(client):
    html = client.get("/az").text
    assert 'href="#letter-K"' in html and 'id="letter-K"' in html


def test_search_page_results_snippets_and_pagination(client):
    html = client.get("/search", params={"q": "clustering"}).text
    assert 'href="/entries/hierarchical-clustering"' in html
    assert "<mark" in html
    assert "Categories" in html  # facets


def test_search_page_no_results_suggests(client):
    html = client.get("/search", params={"q": "zzqqxx"}).text
    assert "Nothing matches" in html and 'href="/az"' in html
    html = client.get("/search", params={"q": "hierarchicl", "exact": "1"}).text
    assert "Did you mean" in html  # searched as typed: the respelling is offered (tests/web/test_search_page.py)


def test_search_echoes_query_as_text(client):
    html = client.get("/search", params={"q": "<script>alert(1)</script>"}).text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_real_404_page(client):
    r = client.get("/entries/does-not-exist")
    assert r.status_code == 404 and 'name="q"' in r.text and "Traceback" not in r.text
    r = client.get("/no/such/route")
    assert r.status_code == 404 and "Page not found" in r.text


def test_a_mistyped_entry_address_offers_the_closest_entries(client):
    r = client.get("/entries/hierarchicl-clusterng")
    assert r.status_code == 404 and "There is no entry named" in r.text
    closest = r.text[r.text.index("Did you mean") :]
    assert closest.index('href="/entries/hierarchical-clustering"') < closest.index("</ul>")
    assert 'value="hierarchicl clusterng"' in r.text  # the search box holds the address's words
    assert "Did you mean" not in client.get("/entries/zzqqxx").text  # nothing close: no list


@pytest.mark.parametrize(
    "url", ["/entries/..%2F..%2Fetc%2Fpasswd", "/static/../app/config.py", "/entries/" + "a" * 5000, "/categories/%00"]
)
def test_odd_paths_never_500(client, url):
    assert client.get(url).status_code in (404, 422)


def test_random_reaches_any_entry(client):
    seen = {client.get("/random", follow_redirects=False).headers["location"] for _ in range(40)}
    assert seen <= {f"/entries/{s}" for s in SAMPLE_SLUGS}
    assert len(seen) > 1


def test_prev_and_next_say_they_are_alphabetical_within_the_category(client):
    html = client.get("/entries/inertia").text
    nav = html.split('<nav class="prev-next"')[1].split("</nav>")[0]
    assert 'aria-label="Clustering A–Z"' in nav
    prev, after = nav.split('href="/entries/hierarchical-clustering">')[1].split("</a>", 1)
    assert "Previous in Clustering A–Z:" in prev and "Hierarchical clustering" in prev
    assert "Next in Clustering A–Z:" in after.split('href="/entries/k-means">')[1]
    last = client.get("/entries/k-means").text.split('<nav class="prev-next"')[1].split("</nav>")[0]
    assert "Previous in Clustering A–Z:" in last and "Next in" not in last  # the last one A–Z
