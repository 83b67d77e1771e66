"""A fast tokenizer with the small part of `html.parser.HTMLParser`'s interface that the post-build
checks and the search indexing use (handle_starttag / handle_endtag / handle_data / unknown_decl /
getpos / feed / close).

The stdlib parser costs ~5 ms for a 20 KB page, pure Python per character; a district portal has
thousands of pages, checked twice and indexed once. This one finds tags with one compiled regular
expression, and a page tokenized once (`Tokens`) can be replayed to every handler that reads it.
Like the stdlib parser it does not repair markup: it reports what the text says, which is what a
last line of defence needs (any `<tag` that data smuggled in is still a tag here).
"""
from __future__ import annotations

import bisect
import functools
import html
import re

_TOKEN = re.compile(
    r"""<!--.*?(?:-->|\Z)"""  # comment
    r"""|<!\[CDATA\[(?P<cdata>.*?)(?:\]\]>|\Z)"""
    r"""|<[!?][^>]*>?"""  # doctype, processing instruction
    r"""|</(?P<end>[a-zA-Z][^\s/>]*)[^>]*>"""
    r"""|<(?P<start>[a-zA-Z][^\s/>]*)(?P<attrs>(?:"[^"]*"|'[^']*'|[^'">])*)>""",
    re.S,
)
_ATTR = re.compile(r"""([^\s"'>/=]+)(\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")
_RAW_TEXT = ("script", "style")


START, END, DATA, CDATA = range(4)


class Tokens:
    """A text, tokenized once: (kind, position, value, attributes) events in document order."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.events = _tokenize(text)
        self._newlines: list[int] | None = None

    def position(self, at: int) -> tuple[int, int]:
        """(line, column) of a character offset, as HTMLParser.getpos() gives them."""
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self.text)]
        line = bisect.bisect_right(self._newlines, at - 1)
        start = self._newlines[line - 1] + 1 if line else 0
        return line + 1, at - start


def replay(tokens: Tokens, handler) -> None:
    """Call `handler`'s HTMLParser-style methods for every event of `tokens`; `handler.token_at` is
    the offset of the current event."""
    start, end, data, decl = handler.handle_starttag, handler.handle_endtag, handler.handle_data, handler.unknown_decl
    for kind, handler.token_at, value, attrs in tokens.events:
        if kind == DATA:
            data(value)
        elif kind == START:
            start(value, attrs)  # a tuple (HTMLParser gives a list): shared, must not be changed
        elif kind == END:
            end(value)
        else:
            decl("CDATA[" + value)


class TagParser:
    """Subclass and override the handle_* methods, as with HTMLParser."""

    def __init__(self, convert_charrefs: bool = True) -> None:
        self._tokens: Tokens | None = None
        self.token_at = 0

    # -- the HTMLParser-like interface
    def feed(self, text: str | Tokens) -> None:
        """Text, or a `Tokens` of it another handler already read."""
        self._tokens = text if isinstance(text, Tokens) else Tokens(text)
        replay(self._tokens, self)

    def close(self) -> None:
        pass

    def getpos(self) -> tuple[int, int]:
        return self._tokens.position(self.token_at) if self._tokens else (1, 0)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        pass

    def handle_endtag(self, tag: str) -> None:
        pass

    def handle_data(self, data: str) -> None:
        pass

    def unknown_decl(self, data: str) -> None:
        pass


def _tokenize(text: str) -> list[tuple]:
    events: list[tuple] = []
    add = events.append
    at = 0
    while True:
        match = _TOKEN.search(text, at)
        stop = match.start() if match else len(text)
        if stop > at:
            chunk = text[at:stop]
            add((DATA, at, html.unescape(chunk) if "&" in chunk else chunk, None))
        if match is None:
            return events
        at = match.end()
        start, attrs, end, cdata = match.group("start", "attrs", "end", "cdata")
        if start:
            tag = start.lower()
            add((START, stop, tag, _attributes(attrs)))
            if attrs.rstrip().endswith("/"):  # <path/>: HTMLParser reports an end tag too
                add((END, stop, tag, None))
            elif tag in _RAW_TEXT:
                at = _raw_text(text, at, tag, add)
        elif end:
            add((END, stop, end.lower(), None))
        elif cdata is not None:
            add((CDATA, stop, cdata, None))


def _raw_text(text: str, at: int, tag: str, add) -> int:
    """The body of <script>/<style> is text up to its end tag, never markup."""
    end = re.compile(rf"</{tag}\s*>", re.I).search(text, at)
    stop = end.start() if end else len(text)
    if stop > at:
        add((DATA, at, text[at:stop], None))
    if end is None:
        return len(text)
    add((END, end.start(), tag, None))
    return end.end()


@functools.lru_cache(maxsize=1 << 16)  # the theme's tags repeat on every page
def _attributes(text: str) -> tuple[tuple[str, str | None], ...]:
    return tuple((name.lower(), (html.unescape(value) if "&" in value else value) if assigned else None)
                 for name, assigned, *values in _ATTR.findall(text) for value in ["".join(values)])
