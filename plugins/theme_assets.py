"""theme_assets: the stylesheet of every page (phones first, 长辈模式, print), `assets/gongkai/gongkai.css`.

The rest of the theme lives in `gongkai/theme/` (the Material override that the MkDocs adapter adds):
main.html (share metadata, the 数据截至 line, the 长辈模式 switch), partials/copyright.html (the
ICP / 公安 / 政府网站标识码 footer) and assets/gongkai/theme.js (loaded in <head>).
"""
from __future__ import annotations

from pathlib import Path

from gongkai import error, hookimpl

CSS = Path(__file__).parent / "assets" / "gongkai.css"


@hookimpl
def register_assets(register):
    register("assets/gongkai/gongkai.css", CSS.read_bytes())


@hookimpl
def check_site(site_dir, portal):
    """The share image named in the settings must be published, or every share preview breaks."""
    image = (portal.settings.share_image or "").lstrip("/")
    if image and not (Path(site_dir) / image).is_file():
        yield error("share-image-missing",
                    f"site_config.yml 的 gongkai 设置 share_image 指向 {image}，但网站中没有这个文件。"
                    f"请把图片放到 content/{image}，或改正 share_image 的路径。",
                    file="site_config.yml", field="share_image", value=image)
