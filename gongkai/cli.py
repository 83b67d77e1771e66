"""`gongkai build | serve | validate | init | plugins | template`. DIR defaults to the current folder.

Exit status: 0 success, 1 data errors or a failed build, 2 usage or configuration errors.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from gongkai import __version__
from gongkai.excel_templates import TEMPLATE_DIR
from gongkai.findings import Report
from gongkai.reports.text import format_report
from gongkai.settings import ConfigError

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    _setup_logging(getattr(args, "verbose", False))
    try:
        code = args.func(args)
        sys.stdout.flush()  # here, so that a closed pipe is noticed while it can still be handled
        return code
    except ConfigError as exc:
        _config_error(exc, getattr(args, "format", "text"))
        return EXIT_USAGE
    except BrokenPipeError:  # `gongkai validate | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # Python's own flush at exit stays quiet
        return EXIT_OK


def _config_error(exc: ConfigError, fmt: str) -> None:
    """A configuration error in the format asked for: CI formats get their annotation and report too."""
    report = Report([exc.finding])
    if fmt in ("json", "github", "gitlab"):
        print(_formatted(report, fmt))
    if fmt != "json":
        print(f"配置错误：{exc}", file=sys.stderr)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gongkai", description="公开：把社区治理数据生成公开网站。")
    parser.add_argument("--version", action="version", version=f"gongkai {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, func, help_text: str, with_dir: bool = True) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        if with_dir:
            p.add_argument("dir", nargs="?", default=".", help="门户文件夹（默认：当前文件夹）")
        p.add_argument("-v", "--verbose", action="store_true", help="显示 MkDocs 的详细日志")
        p.set_defaults(func=func)
        return p

    p = command("build", cmd_build, "检查数据并生成网站；数据有错时不改动已发布的网站。")
    p.add_argument("--site-dir", help="输出文件夹（默认：site_config.yml 的 site_dir，即 site/）")
    p.add_argument("--today", help="基准日期 YYYY-MM-DD（用于逾期和公示期）")
    p = command("serve", cmd_serve, "本地预览，数据或插件改动后自动刷新。")
    p.add_argument("--dev-addr", default="127.0.0.1:8000", help="地址和端口（默认 127.0.0.1:8000）")
    p.add_argument("--today", help="基准日期 YYYY-MM-DD")
    p = command("validate", cmd_validate, "只检查数据，不生成网站。")
    p.add_argument("--today", help="基准日期 YYYY-MM-DD")
    p.add_argument("--format", choices=("text", "json", "github", "gitlab"), default="text",
                   help="输出格式：text 文字；json 结构化；github 注释与摘要；gitlab 代码质量报告")
    p = command("init", cmd_init, "在一个新文件夹中建立完整的门户（含示例数据）。")
    p.set_defaults(dir=None)
    p.add_argument("target", metavar="DIR", help="新门户的文件夹（必须不存在或为空）")
    command("plugins", cmd_plugins, "列出已加载的插件、来源和实现的钩子。")
    command("template", cmd_template, f"为每个数据表生成 Excel 填报模板（{TEMPLATE_DIR}/*.xlsx）。")
    return parser


def _setup_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    for name in ("mkdocs", "gongkai"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(logging.DEBUG if verbose else logging.WARNING)
        logger.propagate = False
    logging.getLogger("mkdocs.plugins.gongkai").setLevel(logging.INFO if verbose else logging.WARNING)


def _root(args) -> Path:
    root = Path(args.dir).resolve()
    if not (root / "site_config.yml").is_file():
        raise ConfigError(f"{root} 中没有 site_config.yml。请在门户文件夹中运行，或用 `gongkai init 文件夹` 新建门户。", code="no-config")
    return root


def cmd_validate(args) -> int:
    from gongkai.session import open_session

    session = open_session(_root(args), args.today, cache_records=False)
    report = session.report
    print(_formatted(report, args.format))
    return EXIT_OK if report.valid else EXIT_DATA


def _formatted(report, fmt: str) -> str:
    from gongkai.reports import ci as report_formats

    if fmt == "json":
        return report.to_json()
    if fmt == "github":
        return report_formats.github(report) + "\n" + format_report(report)
    if fmt == "gitlab":
        return report_formats.gitlab(report)
    return format_report(report)


def cmd_build(args) -> int:
    import time

    from gongkai.bridge.build import build
    from gongkai.bridge.progress import Progress

    started = time.monotonic()
    result = build(_root(args), Path(args.site_dir) if args.site_dir else None, args.today, progress=Progress())
    if not result.report.valid:
        print(format_report(result.report), file=sys.stderr)
        print("网站没有生成，已发布的网站保持不变。", file=sys.stderr)
        return EXIT_DATA
    if result.error:
        print(f"生成失败，已发布的网站保持不变：\n{result.error}", file=sys.stderr)
        return EXIT_DATA
    warnings = len(result.report.warnings)
    print(f"网站已生成：{result.site_dir}（{result.pages} 页，{time.monotonic() - started:.1f} 秒；"
          f"数据提示 {warnings} 条{'，用 gongkai validate 查看' if warnings else ''}）。")
    return EXIT_OK


def cmd_serve(args) -> int:
    from gongkai.bridge.serve import serve

    return serve(_root(args), args.dev_addr, args.today)


def cmd_init(args) -> int:
    from gongkai.scaffold import init_portal

    target = Path(args.target).resolve()
    notice = init_portal(target)
    print(f"新门户已建立：{target}\n下一步：cd {args.target} && gongkai build")
    if notice:
        print(notice, file=sys.stderr)
    return EXIT_OK


def cmd_plugins(args) -> int:
    from gongkai.config import load_config
    from gongkai.plugin_manager import create_plugin_manager

    root = _root(args)
    pm = create_plugin_manager(load_config(root).settings, root)
    for info in pm.infos():
        print(f"{info.name:<22} {info.source:<24} {', '.join(info.hooks)}")
    return EXIT_OK


def cmd_template(args) -> int:
    from gongkai.excel_templates import write_templates

    root = _root(args)
    for path in write_templates(root):
        print(path.relative_to(root))
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
