"""A fast tokenizer with the small part of `html.parser.HTMLParser`'s interface that the post-build
checks use (handle_starttag / handle_endtag / handle_data / unknown_decl / getpos / feed / close).

The stdlib parser costs ~5 ms for a 20 KB page, pure Python per character; a district portal has
thousands of pages, checked twice. This one finds tags with one compiled regular expression.
Like the stdlib parser it does not repair markup: it reports what the text says, which is what a
last line of defence needs (any `<tag` that data smuggled in is still a tag here).
"""
from __future__ import annotations

import bisect
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


class TagParser:
    """Subclass and override the handle_* methods, as with HTMLParser."""

    def __init__(self, convert_charrefs: bool = True) -> None:
        self._text = ""
        self._newlines: list[int] = []
        self._pos = 0

    # -- the HTMLParser-like interface
    def feed(self, text: str) -> None:
        self._text = text
        self._newlines = [m.start() for m in re.finditer("\n", text)]
        self._run(text)

    def close(self) -> None:
        pass

    def getpos(self) -> tuple[int, int]:
        line = bisect.bisect_right(self._newlines, self._pos - 1)
        start = self._newlines[line - 1] + 1 if line else 0
        return line + 1, self._pos - start

    def handle_starttag(self, tag: str, attrs: list) -> None:
        pass

    def handle_endtag(self, tag: str) -> None:
        pass

    def handle_data(self, data: str) -> None:
        pass

    def unknown_decl(self, data: str) -> None:
        pass

    # -- tokenizing
    def _run(self, text: str) -> None:
        at = 0
        while True:
            match = _TOKEN.search(text, at)
            if match is None:
                self._data(at, text[at:])
                return
            self._data(at, text[at:match.start()])
            self._pos = match.start()
            at = match.end()
            if match.group("start"):
                tag, attrs = match.group("start").lower(), match.group("attrs")
                self.handle_starttag(tag, _attributes(attrs))
                if attrs.rstrip().endswith("/"):  # <path/>: HTMLParser reports an end tag too
                    self.handle_endtag(tag)
                elif tag in _RAW_TEXT:
                    at = self._raw_text(text, at, tag)
            elif match.group("end"):
                self.handle_endtag(match.group("end").lower())
            elif match.group("cdata") is not None:
                self.unknown_decl("CDATA[" + match.group("cdata"))

    def _raw_text(self, text: str, at: int, tag: str) -> int:
        """The body of <script>/<style> is text up to its end tag, never markup."""
        end = re.compile(rf"</{tag}\s*>", re.I).search(text, at)
        stop = end.start() if end else len(text)
        if stop > at:
            self._pos = at
            self.handle_data(text[at:stop])
        if end is None:
            return len(text)
        self._pos = end.start()
        self.handle_endtag(tag)
        return end.end()

    def _data(self, at: int, data: str) -> None:
        if data:
            self._pos = at
            self.handle_data(html.unescape(data) if "&" in data else data)


def _attributes(text: str) -> list[tuple[str, str | None]]:
    return [(name.lower(), (html.unescape(value) if "&" in value else value) if assigned else None)
            for name, assigned, *values in _ATTR.findall(text) for value in ["".join(values)]]
