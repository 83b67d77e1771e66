"""Hand-written HTML (raw HTML in content/ Markdown, meeting minutes) passes an allowlist sanitiser,
nh3 (the Python binding of Rust's ammonia), before it is published: elements and attributes outside
the list are dropped (their text is kept; the text of <script> and <style> is dropped too), links keep
only web, mail and phone addresses. What was dropped is reported so that staff learn why.

The allowlist is what Markdown and the portal's usual extensions (tables, attr_list, toc, admonitions,
details, code highlighting, tabbed content) write, and no more: no scripts, no event attributes, no
`style`, no forms beyond the radio buttons of tabbed content, no frames, no SVG or MathML.
"""
from __future__ import annotations

from collections import Counter

import nh3

#: elements hand-written pages may use
TAGS = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del",
    "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "input", "ins", "kbd", "label", "li", "mark", "ol", "p", "picture", "pre", "q", "rp", "rt", "ruby", "s",
    "samp", "section", "small", "source", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot",
    "th", "thead", "time", "tr", "u", "ul", "var", "wbr",
})
#: attributes, on every element ("*") or on one
ATTRIBUTES = {
    "*": {"id", "class", "title", "lang", "dir", "role", "aria-label", "aria-hidden", "aria-describedby"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height", "loading", "decoding"},
    "source": {"srcset", "type", "media", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "col": {"span"}, "colgroup": {"span"},
    "ol": {"start", "reversed"}, "li": {"value"},
    "time": {"datetime"}, "q": {"cite"}, "blockquote": {"cite"}, "del": {"datetime"}, "ins": {"datetime"},
    "details": {"open"},
    "input": {"name", "checked", "disabled"},  # pymdownx.tabbed's radio buttons, task lists' check boxes
    "label": {"for"},
}
#: attributes limited to a few values
ATTRIBUTE_VALUES = {"input": {"type": {"radio", "checkbox"}}}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
#: dropped together with their content
DROPPED_WITH_CONTENT = frozenset({"script", "style", "template", "noscript", "textarea", "title", "xmp", "iframe",
                                  "noembed", "noframes", "object", "plaintext", "select", "math", "svg"})


def clean(html: str) -> str:
    """`html` with everything outside the allowlist removed."""
    return nh3.clean(html, tags=set(TAGS), attributes={k: set(v) for k, v in ATTRIBUTES.items()},
                     tag_attribute_values={k: {a: set(vs) for a, vs in v.items()} for k, v in ATTRIBUTE_VALUES.items()},
                     clean_content_tags=set(DROPPED_WITH_CONTENT), url_schemes=set(URL_SCHEMES), link_rel=None,
                     strip_comments=True)


def removed(before: str, after: str) -> list[str]:
    """What sanitising took out, as staff read it: "<script>", "<img onerror>", "<a href=javascript:…>"."""
    lost = _inventory(before) - _inventory(after)
    gone = {item for item in lost if " " not in item}  # whole elements: their attributes went with them
    return sorted(item for item in lost if " " not in item or f"{item.split(' ')[0]}>" not in gone)


def _inventory(html: str) -> Counter:
    """Elements and attribute names (with a URL attribute's scheme) of an HTML fragment."""
    from selectolax.lexbor import LexborHTMLParser

    found: Counter = Counter()
    tree = LexborHTMLParser(f"<body>{html}</body>", scripting=True)
    for node in (tree.body.traverse() if tree.body else ()):
        tag = (node.tag or "").lower()
        if not tag or tag.startswith("-"):
            continue
        found[f"<{tag}>"] += 1
        for name, value in (node.attributes or {}).items():
            name = name.lower()
            scheme = _scheme(value) if name in ("href", "src", "srcset", "cite") else ""
            found[f"<{tag} {name}{'=' + scheme + ':…' if scheme else ''}>"] += 1
    return found


def _scheme(value: str | None) -> str:
    head = "".join((value or "").split()).lower().partition(":")
    return head[0] if head[1] and head[0].isalpha() and head[0] not in URL_SCHEMES else ""
