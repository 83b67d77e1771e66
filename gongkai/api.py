"""The plugin API: everything a gongkai plugin may import, in one place (`from gongkai.api import …`).

The built-in plugins use nothing else (tests/test_plugin_api.py enforces it), so a plugin of a
portal can do whatever a built-in one does, and the core may be rearranged behind these names.
The README's plugin guide lists each name with what it is for.
"""
from gongkai.data.history import ADDED, CHANGED, REMOVED, WORKING_TREE, Change, History
from gongkai.data.derived import DONE_STATUSES, period_end, period_sort_key, satisfaction
from gongkai.data.model import Portal, by_community, community_of, split_ids
from gongkai.data.privacy import excel_number, find, mask, number_key, public_numbers
from gongkai.data.reading import inside
from gongkai.data.resources import (
    ENUMS,
    Record,
    Resource,
    Table,
    TableError,
    standard_enums,
    standard_resources,
)
from gongkai.data.text import decode
from gongkai.findings import Finding, Report, column_letter, error, warning
from gongkai.hookspecs import hookimpl
from gongkai.parallel import Background, map_chunks, map_chunks_later
from gongkai.rules import (
    ID_RE,
    after_today,
    content_file,
    field_title,
    given,
    index_by_id,
    joined,
    wrong_kind,
)
from gongkai.settings import ConfigError, Settings
from gongkai.site import search
from gongkai.site.charts import completion_chart, percent_chart
from gongkai.site.content import (
    check_content,
    markdown_converter,
    md_page,
    publishable,
    read_page,
)
from gongkai.site.document import parse_html
from gongkai.site.downloads import (
    csv_bytes,
    dumps,
    field_rows,
    json_bytes,
    sha256,
    xlsx_bytes,
)
from gongkai.site.pages import Later, Page, digest, write_changed
from gongkai.site.reads import record_digests, related
from gongkai.site.render import date_zh, excerpt, percent, relative_url
from gongkai.site.revisions import (
    COUNT_LABELS,
    as_json,
    change_counts,
    change_sets,
    changes_json,
    describe,
    field_titles,
    page_of,
    record_title,
    revision_log,
    value_text,
)

__all__ = [
    # hooks and the model
    "hookimpl", "Portal", "Record", "Resource", "Page", "Settings", "ConfigError",
    # reading tables (read_table)
    "Table", "TableError", "decode", "column_letter", "inside",
    # the standard's vocabulary
    "ENUMS", "ID_RE", "DONE_STATUSES", "standard_enums", "standard_resources", "period_sort_key", "period_end",
    "satisfaction", "split_ids", "community_of", "by_community",
    # findings and rule helpers (register_checks)
    "Finding", "Report", "error", "warning", "given", "index_by_id", "field_title", "joined", "wrong_kind", "after_today",
    "content_file",
    # revision history (gongkai/data/history.py)
    "History", "Change", "ADDED", "CHANGED", "REMOVED", "WORKING_TREE", "change_sets", "describe", "field_titles",
    "page_of", "record_title", "revision_log", "value_text", "as_json", "changes_json", "change_counts", "COUNT_LABELS",
    # personal data
    "find", "mask", "number_key", "excel_number", "public_numbers",
    # pages, text and charts
    "relative_url", "date_zh", "percent", "excerpt", "digest", "record_digests", "related", "write_changed", "percent_chart", "completion_chart",
    "markdown_converter", "md_page", "publishable", "read_page", "check_content", "parse_html",
    # downloads
    "csv_bytes", "json_bytes", "xlsx_bytes", "dumps", "field_rows", "sha256",
    # work beside the site engine, and search
    "Background", "map_chunks", "map_chunks_later", "Later", "search",
]
