"""`site_config.yml`, read once per run, the way MkDocs reads it (`!ENV`, `!relative`, `INHERIT`), and
validated in full by MkDocs' own schema, so that `gongkai validate` refuses exactly what a build
would. Every problem is said in Chinese, with its line and, for a misspelt key, the likely key.

One `PortalConfig` is then the single source of the site's URL, name, folders and Markdown
extensions for every stage (validation, pages, feeds, QR codes, link checks, the MkDocs build).
"""
from __future__ import annotations

import difflib
import importlib
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from gongkai.settings import ConfigError, Settings

if TYPE_CHECKING:  # pragma: no cover
    from mkdocs.config.defaults import MkDocsConfig

CONFIG_FILE = "site_config.yml"
MKDOCS_DOCS = "https://www.mkdocs.org/user-guide/configuration/"
#: what staff call the MkDocs keys a portal sets
KEY_NAMES = {"site_name": "网站名称", "site_url": "网站地址", "site_description": "网站简介", "docs_dir": "页面文件夹",
             "site_dir": "网站输出文件夹", "theme": "主题", "plugins": "插件", "nav": "导航", "markdown_extensions": "Markdown 扩展"}


@dataclass
class PortalConfig:
    """The portal's whole configuration: MkDocs' validated config and gongkai's settings."""

    root: Path
    mkdocs: "MkDocsConfig"
    settings: Settings
    text: str = ""  # site_config.yml as read (a preview rebuilds every page when it changes)

    @property
    def site_url(self) -> str:
        return self.mkdocs.site_url or ""

    @property
    def site_name(self) -> str:
        return self.mkdocs.site_name or ""

    @property
    def docs_dir(self) -> Path:
        return Path(self.mkdocs.docs_dir)

    @property
    def site_dir(self) -> Path:
        return Path(self.mkdocs.site_dir)

    @property
    def markdown_extensions(self) -> list:
        """The Markdown extensions with their settings, as MkDocs passes them to Python-Markdown."""
        return [(name, dict(self.mkdocs.mdx_configs.get(name) or {})) for name in self.mkdocs.markdown_extensions]

    @classmethod
    def of(cls, mkdocs_config: "MkDocsConfig", settings: Settings) -> "PortalConfig":
        """The PortalConfig of a MkDocs config MkDocs loaded itself (plain `mkdocs build` or `mkdocs serve`)."""
        path = Path(mkdocs_config.config_file_path)
        return cls(path.parent, mkdocs_config, settings, _read(path))


def load_config(root: Path, **overrides: Any) -> PortalConfig:
    """Read and validate `root/site_config.yml`; `overrides` replace MkDocs keys (site_dir, dev_addr)."""
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.utils.yaml import get_yaml_loader

    path = Path(root) / CONFIG_FILE
    text = _read(path)
    config = MkDocsConfig(config_file_path=str(path))
    raw = _parse(text, path, get_yaml_loader(_UniqueKeyLoader, config=config))
    settings = Settings.from_mapping(gongkai_entry(raw))
    config.load_dict(raw)
    config.load_dict({key: value for key, value in overrides.items() if value is not None})
    errors, warnings = config.validate()
    problems = [_explain(key, str(exc), text, required=True) for key, exc in errors]
    problems += [_explain(key, str(message), text) for key, message in warnings]
    if problems:
        raise ConfigError("\n".join(problems), code="mkdocs-config")
    return PortalConfig(Path(root), config, settings, text)


def gongkai_entry(config: dict) -> dict:
    """The options of the `gongkai` entry in a MkDocs config's `plugins` list."""
    plugins = config.get("plugins") or []
    for entry in plugins.items() if isinstance(plugins, dict) else plugins:
        if entry == "gongkai" or (isinstance(entry, tuple) and entry[0] == "gongkai" and not entry[1]):
            return {}
        if isinstance(entry, tuple) and entry[0] == "gongkai":
            return entry[1] or {}
        if isinstance(entry, dict) and "gongkai" in entry:
            return entry["gongkai"] or {}
    raise ConfigError("site_config.yml 的 plugins 列表中没有 gongkai。请加上：plugins: [search, gongkai]。", code="no-plugin")


# ------------------------------------------------------------------ reading the file


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"找不到配置文件 {path.name}。请在门户文件夹中运行，或用 `gongkai init` 新建门户。", code="no-config") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path.name} 不是 UTF-8 编码。请用 UTF-8 保存。", code="bad-config") from None


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader with MkDocs' `!ENV` and `!relative` (added by MkDocs' `get_yaml_loader`) and the one
    Python tag that Material's Markdown extensions need, `!!python/name:` (a function named in an
    installed package). Other Python tags are read as plain data, never run (MkDocs' own loader would
    run `!!python/object/apply`). Duplicate keys are refused: the second one would silently win."""

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, str) and key in seen:
                raise ConfigError(f"site_config.yml 第 {key_node.start_mark.line + 1} 行：设置项 {key!r} 重复出现"
                                  f"（第一次在第 {seen[key]} 行）。请删掉其中一个。", code="duplicate-key")
            if isinstance(key, str):
                seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def _python_name(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    module, _, name = suffix.rpartition(".")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError, ValueError):
        raise ConfigError(f"site_config.yml 第 {node.start_mark.line + 1} 行：找不到 !!python/name:{suffix}。"
                          "请检查名称的拼写，并确认提供它的软件包已经安装。", code="bad-config") from None


def _plain(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_multi_constructor("tag:yaml.org,2002:python/name:", _python_name)
_UniqueKeyLoader.add_multi_constructor("tag:yaml.org,2002:python/", _plain)


def _parse(text: str, path: Path, loader) -> dict:
    """The YAML of the config with its `INHERIT` parents merged in, as MkDocs' `yaml_load` does."""
    import mergedeep
    from mkdocs.utils.yaml import yaml_load

    try:
        raw = yaml.load(text, Loader=loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark else ""
        raise ConfigError(f"{path.name} {where}格式错误（{getattr(exc, 'problem', exc)}）。请检查缩进、冒号和引号。",
                          code="bad-config") from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{path.name} 应为“设置项: 值”的映射，例如 site_name: 某某街道公开网。", code="bad-config")
    parent = raw.pop("INHERIT", None)
    if parent is not None:
        parent_path = Path(os.path.normpath(path.parent / str(parent)))
        if not parent_path.is_file():
            raise ConfigError(f"{path.name} 的 INHERIT 指向 {parent}，但找不到这个文件（{parent_path}）。", code="bad-config")
        with parent_path.open("rb") as stream:
            raw = mergedeep.merge(yaml_load(stream, loader), raw)
    return raw


# ------------------------------------------------------------------ MkDocs' findings in Chinese


def key_line(text: str, key: str) -> int | None:
    """The line of a top-level key of the config text."""
    try:
        node = yaml.compose(io.StringIO(text), Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            if getattr(key_node, "value", None) == key:
                return key_node.start_mark.line + 1
    return None


def _explain(key: str, detail: str, text: str, required: bool = False) -> str:
    """One MkDocs error or warning about `key` as a Chinese sentence with its line and the fix."""
    from mkdocs.config.defaults import MkDocsConfig

    known = sorted(name for name, _ in MkDocsConfig._schema)
    line = key_line(text, key)
    where = f"site_config.yml 第 {line} 行" if line else "site_config.yml"
    label = f"{key}（{KEY_NAMES[key]}）" if key in KEY_NAMES else key
    if detail.startswith("Unrecognised configuration name"):
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        hint = f"是否应为 {close[0]}？" if close else f"可用的设置项见 {MKDOCS_DOCS}。"
        return f"{where}：不认识的设置项 {key}。{hint}请改正拼写或删掉这一行（gongkai 自己的设置写在 plugins 的 gongkai 之下）。"
    if detail.startswith("Required configuration not provided"):
        return f"{where}：缺少必填的设置项 {label}。请在 site_config.yml 中加上它，例如 site_name: 某某街道党建引领社区治理公开网。"
    severity = "不正确" if required else "有问题"
    return f"{where}：设置项 {label} {severity}（MkDocs 的说明：{detail}）。请对照 {MKDOCS_DOCS} 改正。"
