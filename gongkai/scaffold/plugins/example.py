"""本门户自己的插件示例（默认未启用）。

启用方法：在 site_config.yml 的 gongkai 设置中写 `plugins: [plugins/example.py]`。
插件就是带 @hookimpl 的函数，只接收用得到的参数。可用的钩子见 gongkai 的 README。
"""
from gongkai import hookimpl


# @hookimpl
# def register_pages(register, portal):
#     """新增一个“志愿服务积分”页面（只列出，不进导航以外的地方）。"""
#     teams = portal.units_of_kind("志愿服务队")
#     html = "<h1>志愿服务队</h1><ul>" + "".join(f"<li>{t['name']}</li>" for t in teams) + "</ul>"
#     register("volunteers/", "志愿服务队", html, nav="志愿服务队", order=60)
#
# 注意：拼接 HTML 时要转义数据（推荐用 portal.render 和模板，见 README）。
