"""The post-build checks give the same findings whether they run in one process or several."""
from __future__ import annotations

from functools import partial

from conftest import build_site

from gongkai.parallel import map_chunks
from gongkai.site.html_tokens import TagParser


def _tags(prefix, chunk):
    return [f"{prefix}{n}" for n in chunk if n % 7 == 0]


def test_map_chunks_in_processes_equals_serial():
    items = list(range(1000))
    parallel = map_chunks(partial(_tags, "x"), items, min_items=10)
    assert sorted(parallel) == sorted(_tags("x", items))


class Events:
    """Records what a parser reports, so two parsers can be compared event by event."""

    def reset_events(self):
        self.events = []

    def handle_starttag(self, tag, attrs):
        self.events.append(("start", tag, tuple(attrs), self.getpos()[0]))

    def handle_endtag(self, tag):
        self.events.append(("end", tag))

    def handle_data(self, data):
        self.events.append(("data", data))


class Recorder(Events, TagParser):
    def __init__(self):
        super().__init__()
        self.reset_events()


def test_tokenizer_matches_the_stdlib_parser_on_built_pages(demo_copy):
    from html.parser import HTMLParser

    class Stdlib(Events, HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.reset_events()

    site = build_site(demo_copy)
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 100
    for page in pages:
        text = page.read_text(encoding="utf-8")
        ours, theirs = Recorder(), Stdlib()
        ours.feed(text)
        theirs.feed(text)
        theirs.close()
        merged = lambda events: [e for e in events if e[0] != "data"]  # noqa: E731 - data may be split differently
        assert merged(ours.events) == merged(theirs.events), page
        assert "".join(e[1] for e in ours.events if e[0] == "data") == "".join(e[1] for e in theirs.events if e[0] == "data")


def test_tokenizer_sees_smuggled_markup():
    parser = Recorder()
    parser.feed('<p title="a>b" onclick=x>t</p><img src=x onerror="alert(1)"/><script>if (a<b) {}</script>')
    starts = [(e[1], dict(e[2])) for e in parser.events if e[0] == "start"]
    assert starts == [("p", {"title": "a>b", "onclick": "x"}), ("img", {"src": "x", "onerror": "alert(1)"}), ("script", {})]
    assert ("data", "if (a<b) {}") in parser.events
