"""本门户自己的插件示例（默认未启用）。

启用方法：在 site_config.yml 的 gongkai 设置中写 `plugins: [plugins/example.py]`，
并把下面的 templates/volunteers.html 放到门户的 templates/ 文件夹中。
插件就是带 @hookimpl 的函数，只接收用得到的参数。可用的钩子见 gongkai 的 README。
页面内容一律用模板生成（模板会自动转义数据），不要用 f-string 拼接 HTML。
"""
from gongkai import hookimpl


@hookimpl
def register_pages(register, portal):
    """新增一个“志愿服务队”页面，并放进导航。"""
    teams = portal.units_of_kind("志愿服务队")
    html = portal.render("volunteers.html", "volunteers/", teams=teams)
    register("volunteers/", "志愿服务队", html, nav="志愿服务队", order=70)


# templates/volunteers.html 的内容示例：
#
# <h1>志愿服务队</h1>
# <ul>
# {% for t in teams %}
#   <li><a href="{{ link('units', t) }}">{{ t.name }}</a>（{{ t.parent.name if t.parent else "" }}）</li>
# {% endfor %}
# </ul>
