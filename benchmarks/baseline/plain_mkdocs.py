"""The stack's own cost: a plain MkDocs + Material project with N hand-written Markdown pages.

`benchmarks/run.py` writes one with the same page count, the same visible text per page and the
same number of table rows as the gongkai site it measured, with the portal's theme, search and
Markdown settings, every page kept out of an explicit two-entry nav. Standalone:

    python benchmarks/baseline/plain_mkdocs.py --pages 500 --chars 900 --rows 12 --out /tmp/plain
    mkdocs build -f /tmp/plain/mkdocs.yml
"""
from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import yaml

WORDS = ("社区 居民 党组织 共建单位 物业 服务 项目 进展 公示 决议 议事会 联席会议 加装电梯 垃圾分类 停车 充电棚 "
         "养老 助餐 网格 小区 业委会 志愿者 经费 预算 验收 满意度 评价 整改 消防 通道 绿化 维修 资金 公开 "
         "监督 需求 资源 清单 落实 推进 完成 组织 实施 协调 改造 更新 安全 隐患 排查 调解 纠纷").split()
PUNCT = "，，，、。"

CONFIG = {
    "site_name": "基线 · 纯 MkDocs + Material",
    "site_url": "https://example.org/plain/",
    "docs_dir": "docs",
    "use_directory_urls": True,
    "theme": {"name": "material", "language": "zh", "font": False,
              "features": ["navigation.top", "search.suggest", "search.highlight"],
              "palette": {"primary": "red", "accent": "deep orange"}},
    "plugins": [{"search": {"lang": "zh"}}],
    "markdown_extensions": ["tables", "attr_list", {"toc": {"permalink": False}}],
    "nav": [{"首页": "index.md"}, {"关于": "about.md"}],
    "validation": {"nav": {"omitted_files": "info"}, "links": {"not_found": "warn"}},
}


def sentence(rng: random.Random, length: int) -> str:
    out, size = [], 0
    while size < length:
        word = rng.choice(WORDS)
        out.append(word)
        size += len(word)
        if rng.random() < 0.25:
            out.append(rng.choice(PUNCT))
            size += 1
    return "".join(out).rstrip("，、") + "。"


def page(rng: random.Random, number: int, chars: int, rows: int) -> str:
    """One page: a heading, a table of `rows` rows of four cells, then paragraphs up to `chars` characters."""
    lines = [f"# 第{number}号页面 {sentence(rng, 8)[:-1]}", ""]
    used = 0
    if rows:
        lines += ["| 项目 | 日期 | 状态 | 说明 |", "|---|---|---|---|"]
        for i in range(rows):
            cells = [sentence(rng, 4)[:-1], f"2026-{i % 12 + 1:02d}-{i % 28 + 1:02d}", rng.choice(["实施中", "已完成", "已验收"]),
                     sentence(rng, 10)[:-1]]
            used += sum(len(c) for c in cells)
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    while used < chars:
        text = sentence(rng, min(120, max(10, chars - used)))
        used += len(text)
        lines += [text, ""]
    return "\n".join(lines)


def write_baseline(out: Path, pages: int, chars: int, rows: int, seed: int = 7) -> Path:
    """Write mkdocs.yml and docs/ (index.md, about.md and `pages` content pages); return mkdocs.yml."""
    rng = random.Random(seed)
    docs = Path(out) / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    (docs / "index.md").write_text("# 首页\n\n" + sentence(rng, 200) + "\n", encoding="utf-8")
    (docs / "about.md").write_text("# 关于\n\n" + sentence(rng, 300) + "\n", encoding="utf-8")
    for i in range(max(0, pages - 2)):
        folder = docs / f"p{i // 1000:02d}"
        folder.mkdir(exist_ok=True)
        (folder / f"page-{i:05d}.md").write_text(page(rng, i, chars, rows), encoding="utf-8")
    config = Path(out) / "mkdocs.yml"
    config.write_text(yaml.safe_dump(CONFIG, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, required=True)
    parser.add_argument("--chars", type=int, default=800, help="visible characters per page")
    parser.add_argument("--rows", type=int, default=10, help="table rows per page")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    print(write_baseline(Path(args.out), args.pages, args.chars, args.rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
