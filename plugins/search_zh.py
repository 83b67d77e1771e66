"""search_zh: Chinese search that finds any part of a word.

Material's search segments page text with jieba but a reader's query only by exact index tokens, so
预算 inside 财政预算, or 充电桩 (indexed as 充电 + 桩), finds nothing. We keep Material's search and:

* add two hidden fields to ``search/search_index.json``: ``zt`` and ``zx`` hold the Han character
  bigrams of each section's title and text, written ``预_算`` (``_`` is no separator, no lunr operator);
* load ``assets/gongkai/search-zh.js``, which rewrites each Han run of a query into required bigram
  terms (``预算`` → ``+预_算 预算``) before Material's search worker sees it;
* add the portal's unit names and project titles to jieba, so that Material's own segmentation,
  ranking and <mark> highlighting keep them whole.
"""
from __future__ import annotations

import json
import logging
import re
from pathlib import Path

from gongkai import hookimpl

log = logging.getLogger("mkdocs.plugins.gongkai")

#: keep identical to HAN in assets/search-zh.js
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN_RUN = re.compile(f"[{HAN}]+")
TAG = re.compile(r"<[^>]+>")
INDEX = "search/search_index.json"
BIGRAM_FIELDS = {"zt": "title", "zx": "text"}  # hidden field -> the field it shadows
QUERY_JS = Path(__file__).parent / "assets" / "search-zh.js"
QUERY_CSS = Path(__file__).parent / "assets" / "search-zh.css"


@hookimpl
def extend_portal(portal):
    """Runs in gongkai's on_config, before Material segments any page (on_page_context)."""
    use_words(portal_words(portal))


@hookimpl
def register_assets(register):
    register("assets/gongkai/search-zh.js", QUERY_JS.read_bytes())
    register("assets/gongkai/search-zh.css", QUERY_CSS.read_bytes())


@hookimpl
def rewrite_output(site_dir):
    path = Path(site_dir) / INDEX
    if not path.is_file():  # the portal switched Material's search off
        return
    index = json.loads(path.read_text(encoding="utf-8"))
    if "zh" not in index.get("config", {}).get("lang", []):
        log.warning("gongkai: 搜索索引的语言不是中文。请在 site_config.yml 的 plugins 中写 `- search: {lang: zh}`，"
                    "否则英文词干处理会影响检索。")
    add_bigram_fields(index)
    path.write_bytes(json.dumps(index, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


# ------------------------------------------------------------------ index


def bigrams(html: str) -> str:
    """The distinct Han character bigrams of an HTML snippet, in order of first appearance."""
    plain = TAG.sub(" ", html).replace("\u200b", "")  # Material joins jieba's words with U+200B
    seen: dict[str, None] = {}
    for run in HAN_RUN.findall(plain):
        for i in range(len(run) - 1):
            seen[f"{run[i]}_{run[i + 1]}"] = None
    return " ".join(seen)


def add_bigram_fields(index: dict) -> None:
    fields = index["config"]["fields"]
    for hidden, shadowed in BIGRAM_FIELDS.items():
        fields[hidden] = {"boost": fields.get(shadowed, {}).get("boost", 1)}
    for doc in index["docs"]:
        for hidden, shadowed in BIGRAM_FIELDS.items():
            grams = bigrams(doc.get(shadowed) or "")
            if grams:
                doc[hidden] = grams
            else:
                doc.pop(hidden, None)


# ------------------------------------------------------------------ jieba user words


def portal_words(portal) -> list[str]:
    """The Han runs (two characters or more) of every unit name and project title, sorted."""
    names = [u.get("name") for u in portal.units] + [p.get("title") for p in portal.projects]
    return sorted({run for name in names if name for run in HAN_RUN.findall(str(name)) if len(run) > 1})


class _Undo:
    """jieba's dictionary is global to the process: remember what we changed so that the next portal
    built in the same process (tests, `gongkai serve`) starts from the plain dictionary again and the
    segmentation, hence the search index, depends only on the portal being built."""

    freq: dict | None = None  # the jieba FREQ table we changed
    total = 0
    before: dict[str, int | None] = {}


def use_words(words: list[str]) -> None:
    import jieba  # imported here: `gongkai validate` never needs it

    tokenizer = jieba.dt
    jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict ..." lines in the build output
    tokenizer.check_initialized()
    if _Undo.freq is tokenizer.FREQ:
        for key, value in _Undo.before.items():
            if value is None:
                tokenizer.FREQ.pop(key, None)
            else:
                tokenizer.FREQ[key] = value
        tokenizer.total = _Undo.total
    _Undo.freq, _Undo.total, _Undo.before = tokenizer.FREQ, tokenizer.total, {}
    for word in words:
        for end in range(1, len(word) + 1):  # add_word also adds every prefix
            _Undo.before.setdefault(word[:end], tokenizer.FREQ.get(word[:end]))
        tokenizer.add_word(word)
