"""Finds and loads plugins: the built-ins, installed packages (entry-point group `gongkai`) and the
portal's own modules named in `site_config.yml`. The core calls `pm.hook.*` and never imports a
feature module itself."""
from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import sys
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

import pluggy

from gongkai import hookspecs
from gongkai.data.reading import inside
from gongkai.settings import SAFETY_PLUGINS, ConfigError, Settings

log = logging.getLogger("mkdocs.plugins.gongkai")

TRACE_ENV = "GONGKAI_TRACE_PLUGINS"
ENTRY_POINT_GROUP = "gongkai"

#: the built-in features, registered in this order. pluggy calls a hook's implementations in reverse
#: order of registration (the last registered first), so a portal's own plugins, registered after
#: these, answer first (a resource a portal plugin registers under a built-in name replaces it).
DEFAULT_PLUGINS = (
    "standard_resources",
    "csv_reader",
    "xlsx_reader",
    "unit_rules",
    "relation_rules",
    "need_rules",
    "decision_rules",
    "project_rules",
    "evaluation_rules",
    "correction_rules",
    "privacy_guard",
    "content_rules",
    "double_report_rules",
    "whistle_rules",
    "search",
    "theme_assets",
    "home",
    "decisions",
    "results",
    "lists",
    "units",
    "projects",
    "notices",
    "double_report",
    "whistles",
    "changes",
    "open_data",
    "feed",
    "link_check",
    "output_scan",
)


@dataclass(frozen=True)
class PluginInfo:
    name: str
    source: str  # "内置", "安装包 <dist>", or "门户 plugins/x.py"
    hooks: tuple[str, ...]


class GongkaiPluginManager(pluggy.PluginManager):
    """A pluggy manager that remembers where each plugin came from."""

    def __init__(self) -> None:
        super().__init__("gongkai")
        self.add_hookspecs(hookspecs)
        self.sources: dict[str, str] = {}

    def register_from(self, plugin: object, name: str, source: str) -> None:
        if self.has_plugin(name):
            raise ConfigError(f"插件名称 {name} 重复（来源：{self.sources[name]} 和 {source}）。请给其中一个改名。", code="plugin-conflict")
        self.register(plugin, name=name)
        self.sources[name] = source

    def infos(self) -> list[PluginInfo]:
        result = []
        for name, plugin in self.list_name_plugin():
            hooks = tuple(sorted(caller.name for caller in self.get_hookcallers(plugin) or []))
            result.append(PluginInfo(name, self.sources.get(name, "?"), hooks))
        return result


def create_plugin_manager(settings: Settings, root: Path | None = None) -> GongkaiPluginManager:
    pm = GongkaiPluginManager()
    installed = sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name)
    _check_disable(settings, set(DEFAULT_PLUGINS) | {ep.name for ep in installed})
    switched_off = set(settings.disable) | set(settings.unsafe_disable)
    for name in DEFAULT_PLUGINS:
        if name in switched_off:
            continue
        pm.register_from(importlib.import_module(f"gongkai.plugins.{name}"), name, "内置")
    for ep in installed:
        if ep.name in switched_off:
            continue
        dist = getattr(ep.dist, "name", "?")
        pm.register_from(ep.load(), ep.name, f"安装包 {dist}")
    for rel in settings.plugins:
        module, name = _load_portal_module(root or Path.cwd(), str(rel))
        pm.register_from(module, name, f"门户 {rel}")
    if os.environ.get(TRACE_ENV):
        _trace(pm)
    return pm


def _check_disable(settings: Settings, known: set[str]) -> None:
    unknown = [name for name in [*settings.disable, *settings.unsafe_disable] if name not in known]
    if unknown:
        raise ConfigError(f"site_config.yml 的 disable 中的 {'、'.join(map(str, unknown))} 不是插件的名称。"
                          f"可以关闭的插件：{'、'.join(sorted(known - set(SAFETY_PLUGINS)))}（用 gongkai plugins 查看）。"
                          "请改正拼写。", code="unknown-plugin")
    for name in settings.unsafe_disable:
        if name in SAFETY_PLUGINS:
            log.warning("gongkai: 安全插件 %s 已按 unsafe_disable 设置关闭。", name)
    accidental = sorted(set(settings.disable) & set(SAFETY_PLUGINS))
    if accidental:
        raise ConfigError(
            f"安全插件 {'、'.join(accidental)} 不能用 disable 关闭。确需关闭时请写在 unsafe_disable 中，"
            "每次构建都会记录这一设置。",
            code="safety-plugin",
        )


def _load_portal_module(root: Path, rel: str):
    real = (root / rel).resolve()
    if not inside(real, root):
        raise ConfigError(f"插件 {rel} 不在门户文件夹内（或是指向外部的链接）。请把插件放在门户的 plugins/ 中。", code="plugin-outside")
    if not real.is_file():
        raise ConfigError(f"找不到插件文件 {rel}。请检查 site_config.yml 中 gongkai.plugins 的路径。", code="plugin-missing")
    name = real.stem
    module_name = f"gongkai_portal_plugins.{name}"
    spec = importlib.util.spec_from_file_location(module_name, real)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules[module_name] = module
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module, name


def _trace(pm: GongkaiPluginManager) -> None:
    def before(hook_name, hook_impls, kwargs):
        names = ", ".join(impl.plugin_name for impl in hook_impls)
        print(f"[gongkai trace] {hook_name} → {names}", file=sys.stderr)

    def after(outcome, hook_name, hook_impls, kwargs):
        exc = outcome.exception
        if exc is not None:
            print(f"[gongkai trace] {hook_name} raised {exc!r}", file=sys.stderr)

    pm.add_hookcall_monitoring(before, after)
