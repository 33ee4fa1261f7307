from kompetenslyft.core.links import hrefs, local_links, page_kind

PAGE = """<p><a href="/learning/me/?tab=2#top">Journey</a> <a>no href</a>
<a href="https://example.org/licence">Licence</a> <a href="mailto:a@b.se">Mail</a>
<a href="http://testserver/search/?q=a&amp;page=2">Search</a> <a href="sessions/">Relative</a></p>"""


def test_hrefs_are_every_link_in_order():
    assert hrefs(PAGE) == [
        "/learning/me/?tab=2#top",
        "https://example.org/licence",
        "mailto:a@b.se",
        "http://testserver/search/?q=a&page=2",
        "sessions/",
    ]


def test_local_links_leave_out_other_sites_and_fragments():
    assert list(local_links("/learning/", PAGE)) == [
        "/learning/me/?tab=2",
        "/search/?q=a&page=2",
        "/learning/sessions/",
    ]


def test_page_kind_is_the_view_and_the_query_keys():
    assert page_kind("/") == ("home", ())
    assert page_kind("/search/?q=a&page=2&q=b") == ("search:search", ("page", "q"))
    assert page_kind("/no/such/page/") == ("/no/such/page/", ())
