"""gongkai's own settings: the `gongkai` plugin entry of `site_config.yml`.

One dataclass is the single source of truth: the MkDocs plugin declares its config options
from it, and `gongkai validate` reads the same entry without starting MkDocs.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from gongkai.findings import error

#: plugins a portal may only switch off through `unsafe_disable`, never by accident
SAFETY_PLUGINS = ("privacy_guard", "content_rules", "output_scan")


class ConfigError(Exception):
    """The configuration is unusable; the message is Chinese and says what to change."""

    def __init__(self, message: str, *, code: str = "config-error", file: str = "site_config.yml"):
        super().__init__(message)
        self.finding = error(code, message, file=file)


@dataclass
class Settings:
    """Everything a portal can set under `plugins: - gongkai: {...}`."""

    today: str | None = None
    """Reference date (YYYY-MM-DD) for 逾期 and 公示期; --today and GONGKAI_TODAY override it."""
    plugins: list = field(default_factory=list)
    """The portal's own plugin modules, paths relative to the portal, e.g. `plugins/points.py`."""
    disable: list = field(default_factory=list)
    """Names of default plugins to switch off (see `gongkai plugins`)."""
    unsafe_disable: list = field(default_factory=list)
    """Safety plugins (privacy_guard, output_scan) to switch off; logged on every build."""
    datasets_dir: str = "datasets"
    """Folder holding the data package."""
    red_list_min: float = 90
    """红榜: period score at or above this."""
    black_list_below: float = 60
    """黑榜 (and 约谈): period score below this."""
    ranked_kinds: list = field(default_factory=lambda: ["物业企业"])
    """Unit kinds that get 红黑榜, 约谈 and cards."""
    public_fields: list = field(default_factory=lambda: ["units.contact"])
    """`resource.field` names whose personal-data patterns are published as they are."""
    masking: bool = False
    """Publish personal-data patterns masked (with a warning) instead of failing validation."""
    max_file_mb: float = 100
    """Largest data file accepted."""
    max_xlsx_uncompressed_mb: float = 500
    """Largest uncompressed size of an XLSX file, checked before it is parsed."""
    max_xlsx_ratio: float = 100
    """Largest compression ratio of an XLSX file (zip-bomb guard)."""
    whistle_arrival_days: int = 2
    """吹哨报到: a called department arrived in time (哨响人到) when it came within this many working days
    (Monday to Friday) after the whistle."""
    recent_days: int = 90
    """Completed projects this many days before the reference date count as recent (notices)."""
    footer: dict = field(default_factory=dict)
    """Footer lines required in mainland China: icp (ICP备案号), police (公安备案号), site_code (政府网站标识码)."""
    trusted_files: list = field(default_factory=list)
    """Files in content/ of a type a browser runs (.js, .xhtml …) that may be published anyway, paths
    relative to content/; nothing else of such a type is published."""
    share_image: str | None = None
    """Image (path in content/) for share previews, e.g. in WeChat."""
    open_data: dict = field(default_factory=dict)
    """Provenance of the open data (datapackage.json and /data/): `license` (an SPDX id; default
    CC-BY-4.0), `publisher` (default: the site name), and `email` or `path` (a page) to ask about it."""
    cache_dir: str = ".cache/gongkai"
    """Validation cache folder, relative to the portal; safe to delete."""
    options: dict = field(default_factory=dict)
    """Settings for third-party plugins, by plugin name."""

    @classmethod
    def from_mapping(cls, data: dict | None) -> "Settings":
        data = dict(data or {})
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ConfigError(
                f"site_config.yml 的 gongkai 设置中有未知的设置项：{'、'.join(unknown)}。"
                f"可用的设置项：{'、'.join(known)}。请检查拼写。",
                code="unknown-setting",
            )
        settings = cls(**data)
        settings._check_types()
        return settings

    def _check_types(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            default = f.default_factory() if callable(f.default_factory) else f.default  # type: ignore[misc]
            expected = type(default) if default is not None else None
            expected = float if f.type in ("float", float) else expected  # `max_file_mb: 0.5` is fine
            if expected is None or value is None:
                continue
            if expected is float and isinstance(value, int) and not isinstance(value, bool):
                continue
            if not isinstance(value, expected):
                raise ConfigError(
                    f"site_config.yml 的 gongkai 设置项 {f.name} 应为{_TYPE_NAMES.get(expected, expected.__name__)}，"
                    f"现在是 {value!r}。",
                    code="bad-setting",
                )
        if self.today is not None:
            parse_date_setting(str(self.today), "gongkai.today")


_TYPE_NAMES = {list: "列表", dict: "映射（键: 值）", bool: "true 或 false", float: "数字", int: "整数", str: "文字"}


def parse_date_setting(text: str, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{where} 的值 {text!r} 不是日期，应写成 YYYY-MM-DD，例如 2025-03-15。", code="bad-date") from None


def reference_date(cli_today: str | None, settings: Settings) -> dt.date:
    """--today, else GONGKAI_TODAY, else the `today` setting, else SOURCE_DATE_EPOCH, else the real date."""
    if cli_today:
        return parse_date_setting(cli_today, "--today")
    if os.environ.get("GONGKAI_TODAY"):
        return parse_date_setting(os.environ["GONGKAI_TODAY"], "环境变量 GONGKAI_TODAY")
    if settings.today:
        return parse_date_setting(str(settings.today), "gongkai.today")
    if os.environ.get("SOURCE_DATE_EPOCH"):
        try:
            stamp = int(os.environ["SOURCE_DATE_EPOCH"])
        except ValueError:
            raise ConfigError("环境变量 SOURCE_DATE_EPOCH 应为整数秒数。", code="bad-date") from None
        return dt.datetime.fromtimestamp(stamp, tz=dt.timezone.utc).date()
    return dt.date.today()


# ---------------------------------------------------------------- reading datapackage.yaml


class _StrictLoader(yaml.SafeLoader):
    """Safe loader for data-package YAML that refuses duplicate keys and reads unknown tags as plain values."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise ConfigError(f"第 {key_node.start_mark.line + 1} 行：{key!r} 重复出现（第一次在第 {seen[key]} 行）。"
                              "请删掉其中一个。", code="duplicate-key")
        seen[key] = key_node.start_mark.line + 1
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


def _construct_unknown(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_StrictLoader.add_multi_constructor("!", _construct_unknown)
_StrictLoader.add_multi_constructor("tag:yaml.org,2002:python/", _construct_unknown)


def load_yaml(path: Path) -> Any:
    """Load a YAML file safely; duplicate keys and syntax errors become ConfigError."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"找不到配置文件 {path.name}。请在门户文件夹中运行，或用 `gongkai init` 新建门户。", code="no-config") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path.name} 不是 UTF-8 编码。请用 UTF-8 保存。", code="bad-config") from None
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except ConfigError as exc:
        raise ConfigError(f"{path.name} {exc}", code=exc.finding.code) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"第 {mark.line + 1} 行" if mark else ""
        raise ConfigError(f"{path.name} {line}格式错误：{exc}。请检查缩进和冒号。", code="bad-config") from None
