"""`gongkai serve`: MkDocs' live-reloading preview, also watching `datasets/` and the portal's plugins."""
from __future__ import annotations

import logging
import os
from pathlib import Path

from gongkai.settings import CONFIG_FILE, read_settings


def serve(root: Path, dev_addr: str, today: str | None) -> int:
    from mkdocs.commands.serve import serve as mkdocs_serve

    _, settings = read_settings(root)
    watch = [str(root / settings.datasets_dir)]
    watch += [str(root / d) for d in ("plugins", "templates") if (root / d).is_dir()]
    if today:
        os.environ["GONGKAI_TODAY"] = today  # --today wins over GONGKAI_TODAY: it replaces it for this process
    logging.getLogger("mkdocs.commands.build").addFilter(_DirtyBuildNotice())
    # dirty builds: MkDocs renders again only the pages gongkai reports changed (gongkai/preview.py)
    mkdocs_serve(config_file=str(root / CONFIG_FILE), dev_addr=dev_addr, watch=watch, livereload=True, build_type="dirty")
    return 0


class _DirtyBuildNotice(logging.Filter):
    """MkDocs warns on every dirty build that navigation may be stale. gongkai rebuilds every page
    when anything all pages show has changed, so the warning would only alarm staff."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("A 'dirty' build is being performed")
