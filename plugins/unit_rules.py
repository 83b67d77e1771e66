"""Rules on units the schema cannot express: the territorial chain 楼栋→小区→网格→社区→街道
(a level may be skipped, never reversed) and no cycles through 上级."""
from __future__ import annotations

from gongkai.api import ENUMS, given, hookimpl, index_by_id, joined

TERRITORIAL = ENUMS["territorial_kinds"]  # highest first: 街道, 社区, 网格, 小区, 楼栋
CHAIN = "→".join(reversed(TERRITORIAL))


@hookimpl
def register_checks(register):
    register(check_hierarchy, reads=("units",))
    register(check_cycles, reads=("units",))


def hierarchy_problem(kind: str, parent_kind: str) -> str | None:
    """Why a unit of `kind` may not sit under one of `parent_kind`, or None when it may.

    A territorial unit's parent is a strictly higher territorial unit; a non-territorial unit
    (共建单位, 物业企业, …) may sit under any unit, so it is never the parent of a territorial one.
    """
    if kind not in TERRITORIAL:
        return None
    higher = TERRITORIAL[: TERRITORIAL.index(kind)]
    if not higher:
        return f"{kind}是最高一级的属地单位，不能有上级。请把“上级”留空。"
    fix = f"{kind}的上级应为{joined(higher)}之一（可以跳级），请改正上级编号，或留空"
    if parent_kind not in TERRITORIAL:
        return f"属地单位的上级只能是更高一级的属地单位，不能是{parent_kind}。{fix}。"
    if parent_kind in higher:
        return None
    return f"属地层级是 {CHAIN}，可以跳级但不能颠倒或平级。{fix}；也请检查这两个单位的“类型”是否填错。"


def check_hierarchy(records, context):
    units = records.get("units", [])
    index = index_by_id(units)
    for unit in units:
        if not given(unit, "kind", "parent_id"):
            continue
        parent = index.get(unit["parent_id"].lower())
        if parent is None or parent is unit or not given(parent, "kind"):
            continue  # missing: foreign-key; itself: unit-cycle
        problem = hierarchy_problem(unit["kind"], parent["kind"])
        if problem:
            yield context.error(
                "unit-hierarchy",
                f"{unit.get('name') or unit.get('id')}（{unit['kind']}）的上级填写了 {unit['parent_id']}"
                f"（{parent.get('name') or ''}，{parent['kind']}）。{problem}",
                "units", unit, "parent_id",
            )


def find_cycles(index: dict) -> list[list[str]]:
    """Each cycle of the parent links once, as lower-cased ids in link order."""
    parent = {k: u["parent_id"].lower() for k, u in index.items() if given(u, "parent_id")}
    done: set[str] = set()
    cycles = []
    for start in index:
        path: dict[str, int] = {}
        node = start
        while node in index and node not in done and node not in path:
            path[node] = len(path)
            node = parent.get(node)
        if node in path:
            cycles.append(list(path)[path[node]:])
        done.update(path)
    return cycles


def check_cycles(records, context):
    index = index_by_id(records.get("units", []))
    for cycle in find_cycles(index):
        members = [index[k] for k in cycle]
        first = min(range(len(members)), key=lambda i: members[i].line)
        members = members[first:] + members[:first]
        chain = " → ".join(str(u["id"]) for u in members + members[:1])
        lines = "、".join(str(u.line) for u in members)
        what = (f"单位 {members[0]['id']} 的上级是它自己" if len(members) == 1
                else f"上级关系形成了循环：{chain}（第 {lines} 行）")
        yield context.error(
            "unit-cycle",
            f"{what}。沿“上级”向上应最终到达一个没有上级的单位（如街道）。请改正其中一个单位的上级，或把它留空。",
            "units", members[0], "parent_id",
        )
