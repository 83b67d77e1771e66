"""Rules on evaluations and their items the schema cannot express: 满意人数 ≤ 参评人数,
满分 > 0 and 得分 ≤ 满分."""
from __future__ import annotations

from gongkai.api import given, hookimpl


@hookimpl
def register_checks(register):
    register(check_satisfied, reads=("evaluations",))
    register(check_item_scores, reads=("evaluation_items",))


def check_satisfied(records, context):
    for evaluation in records.get("evaluations", []):
        if given(evaluation, "respondents", "satisfied") and evaluation["satisfied"] > evaluation["respondents"]:
            yield context.error(
                "satisfied-over-respondents",
                f"评价 {evaluation.get('id')} 的“满意人数”{evaluation['satisfied']} 多于“参评人数”{evaluation['respondents']}。"
                f"满意人数不能超过参评人数：请核对这两个人数。",
                "evaluations", evaluation, "satisfied",
            )


def _num(value: float) -> str:
    return f"{value:g}"


def check_item_scores(records, context):
    for item in records.get("evaluation_items", []):
        where = f"评价 {item.get('evaluation_id')} 的细项“{item.get('criterion')}”"
        if not given(item, "max_score"):
            continue
        if item["max_score"] <= 0:
            yield context.error(
                "max-score-positive",
                f"{where}的“满分”是 {_num(item['max_score'])}。满分必须大于 0：请填写该指标的满分，例如 20。",
                "evaluation_items", item, "max_score",
            )
        elif given(item, "score") and item["score"] > item["max_score"]:
            yield context.error(
                "item-score-over-max",
                f"{where}的“得分”{_num(item['score'])} 高于“满分”{_num(item['max_score'])}。"
                f"得分不能超过满分：请核对得分或满分。",
                "evaluation_items", item, "score",
            )
