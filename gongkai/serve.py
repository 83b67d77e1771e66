"""`gongkai serve`: MkDocs' live-reloading preview, also watching `datasets/` and the portal's plugins."""
from __future__ import annotations

import os
from pathlib import Path

from .settings import CONFIG_FILE, read_settings


def serve(root: Path, dev_addr: str, today: str | None) -> int:
    from mkdocs.commands.serve import serve as mkdocs_serve

    _, settings = read_settings(root)
    watch = [str(root / settings.datasets_dir)]
    watch += [str(root / d) for d in ("plugins", "templates") if (root / d).is_dir()]
    if today:
        os.environ["GONGKAI_TODAY"] = today  # --today wins over GONGKAI_TODAY: it replaces it for this process
    mkdocs_serve(config_file=str(root / CONFIG_FILE), dev_addr=dev_addr, watch=watch, livereload=True)
    return 0
