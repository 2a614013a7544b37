"""Reading pages in tests: a tiny HTML parser for links, images, meta tags and attributes."""
from __future__ import annotations

from html.parser import HTMLParser

from tests.conftest import ApiActions
from tests.factories import LEARNER  # noqa: F401 - the learner the web tests look for

HTML = {"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8", "Accept-Language": "en-GB,en;q=0.9"}
GERMAN = {**HTML, "Accept-Language": "de-DE,de;q=0.9"}


class Page(HTMLParser):
    """Every start tag with its attributes, and the text of each ``<a>``."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self._open_links: list[dict] = []
        self.text_parts: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = {k: (v if v is not None else "") for k, v in attrs}
        self.tags.append((tag, attributes))
        if tag == "a":
            attributes["_text"] = ""
            self._open_links.append(attributes)

    def handle_endtag(self, tag):
        if tag == "a" and self._open_links:
            self._open_links.pop()

    def handle_data(self, data):
        self.text_parts.append(data)
        for link in self._open_links:
            link["_text"] += data

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())

    def find(self, tag: str, **attrs) -> list[dict]:
        return [a for t, a in self.tags if t == tag and all(a.get(k.rstrip("_")) == v for k, v in attrs.items())]

    def links(self) -> dict[str, str]:
        """href -> text of the first link to it (whitespace collapsed)."""
        out: dict[str, str] = {}
        for tag, a in self.tags:
            if tag == "a" and "href" in a:
                out.setdefault(a["href"], " ".join(a["_text"].split()))
        return out

    def meta(self) -> dict[str, str]:
        return {a.get("property") or a.get("name"): a.get("content") for a in self.find("meta")
                if a.get("property") or a.get("name")}

    def first(self, tag: str, **attrs) -> dict:
        found = self.find(tag, **attrs)
        assert found, f"no <{tag} {attrs}>"
        return found[0]


def issue(client, auth: dict, course: str = "HV-2S", **body) -> str:
    """Issue through the API with the ``auth`` headers (:class:`tests.conftest.ApiActions`); the id."""
    key = auth["Authorization"].split(" ", 1)[1]
    return ApiActions(client, {}).issue(course, key=key, **body)["id"]


def get_page(client, path: str, headers=None, status: int = 200) -> Page:
    response = client.get(path, headers=headers or HTML)
    assert response.status_code == status, (path, response.status_code, response.data[:300])
    assert response.mimetype == "text/html"
    return Page(response.get_data(as_text=True))
