"""A published file read the way a browser reads it, for the checks before publishing.

HTML is parsed by a WHATWG-conformant HTML5 parser (lexbor, through selectolax) with scripting on, as
in a browser, so that foreign content (SVG, MathML), raw-text and RCDATA elements, <noscript>,
<template> contents and abrupt comments come out as the elements, attributes, texts and comments a
browser would make. XML (SVG, feeds) is read by Python's XML parser (expat), which fetches nothing.
selectolax was chosen over html5lib and html5-parser by speed at district scale and by matching
Chromium on 33 tricky documents (html5lib drops elements inside <select> that browsers keep).
"""
from __future__ import annotations

import bisect
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Iterator

HTML_SUFFIXES = (".html", ".htm")
XML_SUFFIXES = (".xml", ".svg", ".rss", ".atom")
JSON_SUFFIXES = (".json",)


class Element:
    """One element: its tag and attribute names in lower case (an attribute without a value is ""), and
    its enclosing elements, found on demand (for XML they are given)."""

    __slots__ = ("tag", "attrs", "node", "_parent", "_template")

    def __init__(self, tag: str, attrs: dict[str, str], node=None, parent: "Element | None" = None,
                 template: "Element | None" = None):
        self.tag, self.attrs, self.node, self._parent = tag, attrs, node, parent
        self._template = template  # the <template> whose content holds this element

    def __repr__(self) -> str:
        return f"Element({self.tag!r}, {self.attrs!r})"

    @property
    def parent(self) -> "Element | None":
        node = self.node
        if self._parent is None and node is not None and hasattr(node, "mem_id"):  # an HTML element: climb lexbor's tree
            owner = node.parent
            if owner is not None and owner.tag is None:  # the content of a template
                self._parent = self._template
            elif owner is not None and owner.tag and owner.tag[0] != "-":
                self._parent = Element(owner.tag.lower(), _attributes(owner), owner, template=self._template)
        return self._parent

    def inside(self, *tags: str) -> bool:
        """Whether an enclosing element has one of `tags`."""
        return any(a.tag in tags for a in self.ancestors())

    def ancestors(self) -> Iterator["Element"]:
        current = self.parent
        while current is not None:
            yield current
            current = current.parent


@dataclass
class Document:
    """Elements in document order (template contents included), the texts a reader sees (not those
    inside <script> or <style>), and comments; `line_of` finds a snippet's line in the source."""

    source: str
    elements: list[Element] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    raw_texts: list[tuple[Element, str]] = field(default_factory=list)  # bodies of <script> and <style>
    comments: list[str] = field(default_factory=list)
    _newlines: list[int] | None = field(default=None, repr=False)

    def line_of(self, snippet: str) -> int | None:
        at = self.source.find(snippet) if snippet else -1
        if at < 0:
            return None
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self.source)]
        return bisect.bisect_left(self._newlines, at) + 1


RAW_TEXT = ("script", "style")


def parse_html(text: str) -> Document:
    from selectolax.lexbor import LexborHTMLParser

    doc = Document(text)
    tree = LexborHTMLParser(text, scripting=True)
    top = tree.root.parent if tree.root is not None and tree.root.parent is not None else tree.root
    if top is not None:
        _walk_html(top, doc)
    return doc


def _walk_html(top, doc: Document, template: Element | None = None) -> None:
    """Every node below `top` in document order (lexbor's own traversal), then the contents of each
    <template>, which lexbor keeps apart as they are in a browser."""
    templates, raw_owners = [], {}
    elements, texts, comments, raw = doc.elements, doc.texts, doc.comments, doc.raw_texts
    for node in top.traverse(include_text=True):
        tag = node.tag
        if tag == "-text":
            content = node.text_content
            parent = node.parent
            if parent is not None and parent.tag in RAW_TEXT:
                raw.append((raw_owners.get(parent.mem_id) or Element(parent.tag, _attributes(parent), parent,
                                                                     template=template), content or ""))
            elif content and not content.isspace():
                texts.append(content)
        elif tag == "-comment":
            comments.append(node.comment_content or "")
        elif tag and tag[0] != "-":
            element = Element(tag if tag.islower() else tag.lower(), _attributes(node), node, template=template)
            elements.append(element)
            if tag in RAW_TEXT:
                raw_owners[node.mem_id] = element
            elif tag == "template":
                templates.append(element)
    for owner in templates:
        for fragment in owner.node.template_fragments():
            if fragment.parent is not None and fragment.parent.mem_id == owner.node.mem_id:
                _walk_html(fragment, doc, owner)


def _attributes(node) -> dict[str, str]:
    attrs = node.attributes
    if not attrs:
        return {}
    return {(k if k.islower() else k.lower()): (v or "") for k, v in attrs.items()}


def parse_xml(text: str) -> Document:
    """Raises ValueError for XML that does not parse (a browser would show nothing of it either)."""
    doc = Document(text)
    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as exc:
        raise ValueError(str(exc)) from None

    def walk(node, parent: Element | None) -> None:
        if not isinstance(node.tag, str):  # a comment or processing instruction (ElementTree drops them)
            return
        element = Element(_local(node.tag).lower(), {_attr_name(k): v for k, v in node.attrib.items()}, node, parent)
        doc.elements.append(element)
        for text in (node.text,):
            if text and text.strip():
                (doc.raw_texts.append((element, text)) if element.tag in RAW_TEXT else doc.texts.append(text))
        for child in node:
            walk(child, element)
            if child.tail and child.tail.strip():
                doc.texts.append(child.tail)

    walk(root, None)
    return doc


XLINK = "{http://www.w3.org/1999/xlink}"


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _attr_name(name: str) -> str:
    if name.startswith(XLINK):
        return "xlink:" + name[len(XLINK):].lower()
    return _local(name).lower()
