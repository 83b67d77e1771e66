"""gongkai (公开): turns a git repository of community-governance data into a public
transparency portal. Plugins import what they need from `gongkai.api`; the few names here are
kept for plugins written before it."""
__version__ = "0.1.0"  # before the imports: core modules read it while this package loads

from gongkai.data.model import Portal
from gongkai.data.resources import Record, Resource, Table, TableError
from gongkai.findings import Finding, Report, error, warning
from gongkai.hookspecs import hookimpl
from gongkai.settings import ConfigError, Settings
from gongkai.site.pages import Page


__all__ = [
    "ConfigError",
    "Finding",
    "Page",
    "Portal",
    "Record",
    "Report",
    "Resource",
    "Settings",
    "Table",
    "TableError",
    "error",
    "hookimpl",
    "warning",
]
