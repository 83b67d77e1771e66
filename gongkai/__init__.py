"""gongkai (公开): turns a git repository of community-governance data into a public
transparency portal. Plugins import what they need from here."""
from .findings import Finding, Report, error, warning
from .hookspecs import hookimpl
from .model import Portal
from .pages import Page
from .resources import Record, Resource, Table, TableError
from .settings import ConfigError, Settings

__version__ = "0.1.0"

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
