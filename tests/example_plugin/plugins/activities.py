"""志愿服务活动: a resource with its rule and its page, written as a portal's own plugin with nothing but
gongkai's plugin API (the README's plugin guide walks through this file)."""
import json
from pathlib import Path

from gongkai.api import Resource, field_title, given, hookimpl

SCHEMA = json.loads((Path(__file__).parent / "activities.json").read_text(encoding="utf-8"))


@hookimpl
def register_resources(register):
    register(Resource("activities", SCHEMA, title=SCHEMA["title"]))


@hookimpl
def register_checks(register):
    register(check_community_kind)


def check_community_kind(records, context):
    """An activity belongs to a 社区 (the schema's foreign key only says that the unit exists)."""
    units = {u["id"].lower(): u for u in records.get("units", []) if given(u, "id")}
    for activity in records.get("activities", []):
        unit = units.get(str(activity.get("community_id") or "").lower())
        if given(activity, "community_id") and unit is not None and unit.get("kind") != "社区":
            yield context.error(
                "activity-community", f"“{field_title(context, 'activities', 'community_id')}”填写的 "
                f"{activity['community_id']} 是{unit['kind']}，不是社区。请填写活动所在社区的编号。",
                "activities", activity, "community_id")


@hookimpl
def register_pages(register, portal):
    activities = sorted(portal.records.get("activities", []), key=lambda a: (a["date"], a["id"]), reverse=True)
    register("activities/", "志愿服务活动", nav="志愿服务活动", order=80, template="activities.html",
             context={"activities": activities}, kind="栏目")
