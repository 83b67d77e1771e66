"""theme_assets: the shared assets of every page: the stylesheet `assets/gongkai/gongkai.css` (phones first,
tables that turn into cards on phones, 长辈模式, print, charts and badges of every page plugin) and the
in-page list filter `assets/gongkai/filter.js` (决策公开, 三张清单; markup contract in the script).

The rest of the theme lives in `gongkai/theme/` (the Material override that the MkDocs adapter adds):
main.html (share metadata, the 数据截至 line, the 长辈模式 switch), partials/copyright.html (the
ICP / 公安 / 政府网站标识码 footer) and assets/gongkai/theme.js (loaded in <head>).
"""
from __future__ import annotations

from pathlib import Path

from gongkai.api import error, hookimpl

ASSETS = Path(__file__).parent / "assets"
CSS = ASSETS / "gongkai.css"
FILTER_JS = ASSETS / "filter.js"


@hookimpl
def register_assets(register):
    register("assets/gongkai/gongkai.css", CSS.read_bytes())
    register("assets/gongkai/filter.js", FILTER_JS.read_bytes())


@hookimpl
def check_site(site_dir, portal):
    """The share image named in the settings must be published, or every share preview breaks."""
    image = (portal.settings.share_image or "").lstrip("/")
    if image and not (Path(site_dir) / image).is_file():
        yield error("share-image-missing",
                    f"site_config.yml 的 gongkai 设置 share_image 指向 {image}，但网站中没有这个文件。"
                    f"请把图片放到 content/{image}，或改正 share_image 的路径。",
                    file="site_config.yml", field="share_image", value=image)
