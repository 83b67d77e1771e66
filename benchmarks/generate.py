"""Generate a district-scale gongkai portal for benchmarks.

    python benchmarks/generate.py --scale 1 --out /tmp/district

Scale 1 is one district (a 新罗区-sized 区): 10 街道, 96 社区, 837 网格, 543 小区, 262 共建单位,
108 物业企业, 490 业委会, 5,000 projects, 6,000 needs, 890 decisions, 20,000 evaluations, and the
pairings, resources, milestones and evaluation items that go with them. `--scale S` multiplies every
count (rounded, at least 1). The output is deterministic for a given scale and seed, follows
/work/shared/DATA_STANDARD.md, uses field-name CSV headers (so `frictionless validate` can read the
same files) and must validate clean with `gongkai validate DIR --today 2026-11-25`.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import re
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SCHEMAS = REPO / "gongkai" / "schemas"
TODAY = dt.date(2026, 11, 25)
DISTRICT = "明湖区"
AREA_CODE = "0592"

BASE_COUNTS = {
    "streets": 10, "communities": 96, "grids": 837, "compounds": 543, "buildings": 200,
    "partners": 262, "firms": 108, "committees": 490, "social_orgs": 60, "volunteer_teams": 40,
    "projects": 5000, "needs": 6000, "decisions": 890, "evaluations": 20000,
    "pairings": 640, "resources": 720,
    # 双报到 at seed 001's figures: 18,496 in-service members, 32,730 人次 (issue 16)
    "registrations": 600, "services": 3000, "whistles": 800, "members": 18496,
}
PERIODS = ["2024-H1", "2024-H2", "2025-H1", "2025-H2", "2026-H1"]

# ---------------------------------------------------------------- word lists
FIRST = "金银玉翠碧青紫东西南北中新安康宁和兴福祥瑞华明光春秋文龙凤鹤松竹梅兰桂荷湖江海山石林泉溪湾港嘉永长广盛丰泰顺恒景锦绿云天星阳晨"
SECOND = "苑园湖山林溪湾河桥亭塘岭城坊里庄洲源泉峰田井港门湄浦"
COMPOUND_SUFFIX = ["花园", "小区", "新村", "家园", "公寓", "雅苑", "华庭", "名城", "嘉园", "佳苑", "花苑", "丽景", "锦园"]
ROAD_SUFFIX = ["路", "街", "大道", "西路", "东路", "北路", "南路"]
BUREAUS = ["审计局", "税务局", "人民医院", "中医院", "住房和城乡建设局", "司法局", "市场监督管理局", "医疗保障局",
           "民政局", "人力资源和社会保障局", "教育局", "文化和旅游局", "卫生健康委员会", "城市管理局", "生态环境分局",
           "自然资源分局", "财政局", "统计局", "应急管理局", "退役军人事务局", "科学技术局", "工业和信息化局",
           "商务局", "农业农村局", "水利局", "交通运输局", "信访局", "档案馆", "图书馆", "总工会", "团委", "妇联",
           "残联", "科协", "红十字会", "税务局稽查局", "公安分局", "检察院", "人民法院", "消防救援大队"]
INSTITUTIONS = ["中心小学", "实验小学", "中学", "幼儿园", "社区卫生服务中心", "派出所", "消防救援站", "供电所",
                "邮政支局", "市场监管所", "司法所", "自来水营业所", "燃气服务站", "文化站", "卫生院", "税务分局"]
BANKS = ["农商银行", "建设银行", "工商银行", "农业银行", "中国银行", "邮储银行"]
INDUSTRIES = ["建设集团有限公司", "科技有限公司", "商贸有限公司", "物流有限公司", "食品有限公司", "电子有限公司",
              "文化传媒有限公司", "环保科技有限公司", "医药有限公司", "实业有限公司"]
SOCIAL_KINDS = ["社会工作服务中心", "居家养老服务中心", "青少年服务中心", "公益服务中心", "邻里互助会", "调解服务中心"]
VOLUNTEER_THEMES = ["红棉党员", "巾帼", "银发", "青年", "平安巡逻", "文明劝导", "邻里守望", "助老", "环保"]
PM_KINDS = ["物业服务有限公司", "物业管理有限公司"]

PROJECT_KINDS = {
    "设施改造": ["加装电梯", "屋面防水维修", "外墙立面整治", "小区道路改造", "路灯更新", "健身器材更新",
             "休息座椅添置", "无障碍坡道建设", "适老化改造", "单元门禁更换"],
    "环境卫生": ["垃圾分类投放点改造", "绿化补植", "化粪池清掏", "雨污分流改造", "楼道杂物清理", "卫生死角整治"],
    "物业管理": ["物业服务质量提升", "维修资金使用公示", "物业服务企业选聘", "物业服务中心改造"],
    "养老服务": ["长者助餐点", "居家养老上门服务", "老年活动室改造", "独居老人关爱探访"],
    "帮扶救助": ["困难家庭帮扶", "残疾人就业帮扶", "助学结对", "临时救助"],
    "矛盾纠纷": ["邻里纠纷调解室建设", "法律服务进小区", "物业纠纷联调"],
    "停车交通": ["电动自行车集中充电棚", "停车位重新施划", "智能道闸更换", "非机动车棚建设"],
    "文化教育": ["四点半课堂", "社区书屋", "亲子阅读", "文化广场改造"],
    "安全隐患": ["消防通道整治", "高空抛物监控", "燃气管道更新", "消防设施更新"],
    "其他": ["党群服务站点建设", "社区微更新", "志愿服务站建设"],
}
NEED_PROBLEMS = {
    "设施改造": ["老旧楼栋没有电梯，老人上下楼困难", "屋面漏水", "小区道路破损积水", "健身器材老化"],
    "环境卫生": ["垃圾投放点异味大", "楼道堆放杂物", "绿地黄土裸露", "化粪池堵塞外溢"],
    "物业管理": ["物业保洁不及时", "维修资金使用不公开", "物业费收支不透明"],
    "养老服务": ["独居老人吃饭难", "缺少老年活动场所", "高龄老人需要上门服务"],
    "帮扶救助": ["困难家庭子女上学需要帮扶", "残疾人就业难"],
    "矛盾纠纷": ["楼上楼下漏水纠纷", "噪声扰民纠纷", "宠物扰民"],
    "停车交通": ["电动自行车充电桩不足，居民飞线充电", "停车难、乱停车", "出入口道闸故障"],
    "文化教育": ["放学后孩子无人看管", "缺少阅读场所"],
    "安全隐患": ["消防通道被占用", "高空抛物", "燃气管道老化"],
    "其他": ["希望增设便民服务点", "希望公开社区工作流程"],
}
NEED_SOURCES = ["居民夜谈会", "入户走访", "12345热线", "网格巡查", "议事会", "线上平台", "其他"]
RESOURCE_ITEMS = {
    "场地": ["会议室周末开放", "职工食堂助餐", "停车场夜间共享", "运动场所开放"],
    "人力": ["在职党员志愿者", "专业技术人员", "青年志愿者"],
    "物资": ["闲置办公桌椅", "防汛物资", "图书捐赠", "慰问物资"],
    "资金": ["年度共建经费", "微心愿资金"],
    "专业服务": ["法律咨询", "义诊和健康讲座", "审计咨询", "消防安全培训", "税收政策宣讲", "心理疏导"],
}
MILESTONE_STAGES = ["方案设计", "征求居民意见", "施工准备", "主体施工", "完工自查", "竣工验收"]
BODIES_WITH_VOTES = ["居民议事会", "业主大会", "三方联席会议"]
BODIES_NO_VOTES = ["大党委联席会议", "党组织会议", "其他"]
COMMENTS = ["服务热情，响应及时。", "保洁及时，维修响应快。", "停车管理有待加强。", "整改承诺需要按时兑现。",
            "整体满意，建议加强公共区域维护。", "活动组织有序，居民参与度高。", ""]
CRITERIA = {
    "物业企业": [("服务质量", 30), ("环境卫生", 25), ("安全管理", 20), ("设施维护", 15), ("投诉处理", 10)],
    "社区": [("组织建设", 25), ("队伍建设", 20), ("服务质量", 30), ("居民参与", 25)],
    "共建单位": [("结对履约", 40), ("资源投入", 30), ("服务成效", 30)],
    "业委会": [("依法履职", 40), ("账目公开", 30), ("议事规范", 30)],
}

FIELDS = {name: [f["name"] for f in json.loads((SCHEMAS / f"{name}.json").read_text("utf-8"))["fields"]]
          for name in ("units", "pairings", "needs", "resources", "decisions", "projects", "milestones",
                       "evaluations", "evaluation_items", "registrations", "point_items", "services", "point_exchanges",
                       "whistles")}
POINT_ITEMS = {
    "理论宣讲": ["政策宣讲进楼栋", "党史故事分享会", "理论学习小组", "法律知识讲座", "家风家训宣讲"],
    "平安创建": ["消防安全隐患排查", "防诈骗宣传", "夜间平安巡逻", "矛盾纠纷调解", "电动车充电安全检查"],
    "文明实践": ["文明劝导", "垃圾分类督导", "文明交通引导", "移风易俗宣传", "志愿服务站值守"],
    "爱心帮扶": ["独居老人上门探访", "困难家庭结对帮扶", "助餐送餐", "留守儿童陪伴", "残疾人康复协助"],
    "环境整治": ["楼道杂物清理", "绿化补植", "卫生死角整治", "河道清洁", "小广告清理"],
    "便民服务": ["义诊和健康讲座", "四点半课堂辅导", "家电义务维修", "理发义剪", "政务代办"],
    "文体活动": ["社区文艺演出", "全民健身活动", "传统节日活动", "读书会", "书画展览"],
}


def counts_for(scale: float) -> dict[str, int]:
    counts = {k: max(1, round(v * scale)) for k, v in BASE_COUNTS.items()}
    counts["committees"] = min(counts["committees"], counts["compounds"])
    counts["communities"] = max(counts["communities"], counts["streets"])
    return counts


def iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def zh_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def half_year(day: dt.date) -> str:
    return f"{day.year}-H{1 if day.month <= 6 else 2}"


class Generator:
    """Builds every resource in memory as lists of dicts keyed by field name."""

    def __init__(self, scale: float, seed: int):
        self.rng = random.Random(seed)
        self.n = counts_for(scale)
        self.used_names: set[str] = set()
        self.places = self._place_pool()
        self.units: list[dict] = []
        self.kind_of: dict[str, str] = {}
        self.by_kind: dict[str, list[dict]] = {}
        self.community_of: dict[str, str] = {}  # unit id -> its 社区 id (territorial units)
        self.tables: dict[str, list[dict]] = {}

    # ---------------------------------------------------------------- names
    def _place_pool(self) -> list[str]:
        pool = [a + b for a in FIRST for b in SECOND if a != b]
        self.rng.shuffle(pool)
        return pool

    def place(self) -> str:
        return self.places[self.rng.randrange(len(self.places))]

    def unique(self, make) -> str:
        for _ in range(50):
            name = make()
            if name not in self.used_names:
                self.used_names.add(name)
                return name
        base = make()
        for i in range(2, 10_000):
            name = f"{base}{self._ordinal(i)}"
            if name not in self.used_names:
                self.used_names.add(name)
                return name
        raise RuntimeError("name space exhausted")

    @staticmethod
    def _ordinal(i: int) -> str:
        digits = "零一二三四五六七八九"
        return ("".join(digits[int(c)] for c in str(i))) + "期"

    def address(self) -> str:
        return f"{DISTRICT}{self.place()}{self.rng.choice(ROAD_SUFFIX)}{self.rng.randint(1, 399)}号"

    def phone(self) -> str:
        return f"{AREA_CODE}-555{self.rng.randint(0, 9999):04d}"

    def day_between(self, start: dt.date, end: dt.date) -> dt.date:
        if end <= start:
            return start
        return start + dt.timedelta(days=self.rng.randint(0, (end - start).days))

    # ---------------------------------------------------------------- units
    def add_unit(self, uid, name, kind, parent="", party="", households=None, contact="", description=""):
        row = {"id": uid, "name": name, "kind": kind, "parent_id": parent, "party_org": party,
               "households": "" if households is None else households, "address": self.address(),
               "contact": contact, "description": description}
        self.units.append(row)
        self.kind_of[uid] = kind
        self.by_kind.setdefault(kind, []).append(row)
        return row

    def make_units(self) -> None:
        n, rng = self.n, self.rng
        streets = [self.add_unit(f"st-{i:02d}", self.unique(lambda: self.place() + "街道"), "街道",
                                 party="", contact=self.phone()) for i in range(1, n["streets"] + 1)]
        for s in streets:
            s["party_org"] = f"中共{DISTRICT}{s['name']}工作委员会"
        communities = []
        for i in range(1, n["communities"] + 1):
            street = streets[(i - 1) % len(streets)] if i <= len(streets) else rng.choice(streets)
            name = self.unique(lambda: self.place() + "社区")
            c = self.add_unit(f"c-{i:03d}", name, "社区", street["id"], f"{name}党委", 0, self.phone())
            self.community_of[c["id"]] = c["id"]
            communities.append(c)
        grids = []
        per_community: dict[str, int] = {}
        for i in range(1, n["grids"] + 1):
            c = communities[(i - 1) % len(communities)] if i <= len(communities) else rng.choice(communities)
            k = per_community[c["id"]] = per_community.get(c["id"], 0) + 1
            name = f"{c['name']}第{self._cn(k)}网格"
            self.used_names.add(name)
            g = self.add_unit(f"g-{i:04d}", name, "网格", c["id"], f"{name}党支部", 0, self.phone())
            self.community_of[g["id"]] = c["id"]
            grids.append(g)
        compounds = []
        for i in range(1, n["compounds"] + 1):
            parent = rng.choice(grids) if rng.random() < 0.9 else rng.choice(communities)
            name = self.unique(lambda: self.place() + rng.choice(COMPOUND_SUFFIX))
            built = rng.randint(1988, 2020)
            x = self.add_unit(f"x-{i:04d}", name, "小区", parent["id"], f"{name}党支部", rng.randint(180, 2600), "",
                              f"{built}年建成，共{rng.randint(4, 40)}栋住宅。")
            self.community_of[x["id"]] = self.community_of[parent["id"]]
            compounds.append(x)
        for i in range(1, n["buildings"] + 1):
            x = rng.choice(compounds)
            name = f"{x['name']}{rng.randint(1, 40)}号楼"
            name = self.unique(lambda: name) if name in self.used_names else name
            self.used_names.add(name)
            b = self.add_unit(f"b-{i:04d}", name, "楼栋", x["id"], f"{name}党小组", rng.randint(24, 120))
            self.community_of[b["id"]] = self.community_of[x["id"]]
        self._households(streets, communities, grids, compounds)
        self._non_territorial(streets, communities, compounds)

    @staticmethod
    def _cn(k: int) -> str:
        digits = "零一二三四五六七八九"
        if k < 10:
            return digits[k]
        if k < 20:
            return "十" + (digits[k % 10] if k % 10 else "")
        return digits[k // 10] + "十" + (digits[k % 10] if k % 10 else "")

    def _households(self, streets, communities, grids, compounds) -> None:
        by_id = {u["id"]: u for u in self.units}
        for g in grids:
            g["households"] = self.rng.randint(300, 900)
        for x in compounds:
            parent = by_id[x["parent_id"]]
            if parent["kind"] == "网格":
                parent["households"] += x["households"]
        for g in grids:
            by_id[g["parent_id"]]["households"] += g["households"]
        for c in communities:
            c["description"] = f"辖{sum(1 for g in grids if g['parent_id'] == c['id'])}个网格，常住{c['households']}户。"
        for s in streets:
            s["households"] = sum(c["households"] for c in communities if c["parent_id"] == s["id"])
            s["description"] = f"{s['name']}位于{DISTRICT}，推行党建引领“大党委”联席会议制度。"

    def _non_territorial(self, streets, communities, compounds) -> None:
        n, rng = self.n, self.rng
        for i in range(1, n["partners"] + 1):
            name = self.unique(self._partner_name)
            self.add_unit(f"u-{i:03d}", name, "共建单位", "", f"{name}党支部", None, self.phone(),
                          f"驻区单位，与社区结对共建，在职党员到社区报到服务。")
        for i in range(1, n["firms"] + 1):
            short = self.place()
            name = self.unique(lambda: f"{DISTRICT[:2]}{short}{rng.choice(PM_KINDS)}")
            party = f"{short}物业党支部" if rng.random() < 0.6 else ""
            self.add_unit(f"pm-{i:03d}", name, "物业企业", "", party, None, self.phone(),
                          f"为辖区{rng.randint(1, 9)}个小区提供物业服务。")
        for i, x in enumerate(rng.sample(compounds, n["committees"]), start=1):
            name = f"{x['name']}业主委员会"
            self.used_names.add(name)
            self.add_unit(f"o-{i:03d}", name, "业委会", x["id"], f"{x['name']}业委会党小组", None, self.phone(),
                          f"第{self._cn(rng.randint(1, 5))}届业主委员会。")
        for i in range(1, n["social_orgs"] + 1):
            parent = rng.choice(streets + communities)
            name = self.unique(lambda: f"{DISTRICT}{self.place()}{rng.choice(SOCIAL_KINDS)}")
            self.add_unit(f"s-{i:03d}", name, "社会组织", parent["id"], "", None, self.phone(), "在社区开展专业服务。")
        for i in range(1, n["volunteer_teams"] + 1):
            parent = rng.choice(communities)
            name = self.unique(lambda: f"{parent['name'][:-2]}{rng.choice(VOLUNTEER_THEMES)}志愿服务队")
            self.add_unit(f"v-{i:03d}", name, "志愿服务队", parent["id"], "", None, self.phone(), "由社区热心居民和在职党员组成。")

    def _partner_name(self) -> str:
        rng = self.rng
        pick = rng.random()
        if pick < 0.25:
            return DISTRICT + rng.choice(BUREAUS)
        if pick < 0.55:
            return self.place() + rng.choice(INSTITUTIONS)
        if pick < 0.7:
            return f"{DISTRICT[:2]}{rng.choice(BANKS)}{self.place()}支行"
        return f"{DISTRICT[:2]}{self.place()}{rng.choice(INDUSTRIES)}"

    # ---------------------------------------------------------------- pairings, resources
    def make_pairings(self) -> None:
        rng = self.rng
        pairing_units = (self.by_kind["共建单位"] * 3 + self.by_kind["物业企业"] + self.by_kind.get("社会组织", [])
                         + self.by_kind.get("志愿服务队", []))
        communities = self.by_kind["社区"]
        seen, rows = set(), []
        for _ in range(self.n["pairings"] * 20):
            if len(rows) >= self.n["pairings"]:
                break
            unit, community = rng.choice(pairing_units), rng.choice(communities)
            if (unit["id"], community["id"]) in seen:
                continue
            seen.add((unit["id"], community["id"]))
            funds = rng.choice([0, 10000, 20000, 30000, 50000, 80000, 100000]) if unit["kind"] != "志愿服务队" else 0
            rows.append({"unit_id": unit["id"], "community_id": community["id"],
                         "since": iso(self.day_between(dt.date(2019, 1, 1), dt.date(2026, 6, 30))),
                         "annual_funds_yuan": funds or "",
                         "agreement": f"每年提供共建经费{funds / 10000:g}万元；在职党员每季度到{community['name']}服务不少于1次。"
                         if funds else f"每月到{community['name']}开展志愿服务不少于1次。"})
        self.tables["pairings"] = rows

    def make_resources(self) -> None:
        rng, rows = self.rng, []
        providers = self.by_kind["共建单位"] * 3 + self.by_kind["物业企业"] + self.by_kind.get("社会组织", [])
        for i in range(1, self.n["resources"] + 1):
            unit = rng.choice(providers)
            category = rng.choice(list(RESOURCE_ITEMS))
            title = rng.choice(RESOURCE_ITEMS[category])
            rows.append({"id": f"r-{i:04d}", "unit_id": unit["id"], "title": title, "category": category,
                         "description": f"{unit['name']}可提供{title}，社区需要时提前一周预约。"})
        self.tables["resources"] = rows

    # ---------------------------------------------------------------- decisions
    def make_decisions(self) -> None:
        rng, rows = self.rng, []
        hosts = self.by_kind["社区"] * 4 + self.by_kind["街道"]
        names = {u["id"]: u["name"] for u in self.units}
        for i in range(1, self.n["decisions"] + 1):
            host = rng.choice(hosts)
            date = self.day_between(dt.date(2023, 1, 5), TODAY - dt.timedelta(days=1))
            body = rng.choice(BODIES_NO_VOTES) if host["kind"] == "街道" or rng.random() < 0.35 else rng.choice(BODIES_WITH_VOTES)
            category = rng.choice(list(PROJECT_KINDS))
            topic = f"{self._compound_in(host['id'])}{rng.choice(PROJECT_KINDS[category])}实施方案"
            row = {"id": f"d-{date.year}-{i:04d}", "date": iso(date), "body": body, "community_id": host["id"],
                   "title": topic, "resolution": "", "votes_for": "", "votes_against": "", "votes_abstain": "",
                   "notice_start": "", "notice_end": "", "status": "有效", "correction": "",
                   "location": f"{names[host['id']]}党群服务中心", "attendees": rng.randint(7, 60), "minutes": ""}
            passed = True
            if body in BODIES_WITH_VOTES:
                cast = rng.randint(5, row["attendees"])
                against = rng.randint(0, cast // 3) if rng.random() < 0.9 else rng.randint(cast // 2, cast)
                abstain = rng.randint(0, cast - against)
                row.update(votes_for=cast - against - abstain, votes_against=against, votes_abstain=abstain)
                passed = (cast - against - abstain) * 2 > cast
            row["resolution"] = (f"同意{topic[:-4]}，由责任单位按方案组织实施，实施情况按阶段公开。" if passed
                                 else "表决未通过：赞成票未超过投票总数的半数，议题暂缓，由社区进一步听取居民意见。")
            if rng.random() < 0.7:
                start = date + dt.timedelta(days=rng.randint(0, 3))
                row.update(notice_start=iso(start), notice_end=iso(start + dt.timedelta(days=rng.randint(4, 9))))
            roll = rng.random()
            if roll < 0.02:
                row.update(status="已更正", correction=f"原决议内容有误，已于{zh_date(date + dt.timedelta(days=7))}更正。")
            elif roll < 0.03:
                row.update(status="已撤销", correction="因实施条件发生变化，经再次会议研究撤销本决议。")
            row["passed"] = passed
            rows.append(row)
        rows.sort(key=lambda r: r["date"])
        self.tables["decisions"] = rows

    def _compound_in(self, host_id: str) -> str:
        inside = self._compounds_by_community().get(host_id)
        return self.rng.choice(inside)["name"] if inside else ""

    def _compounds_by_community(self) -> dict[str, list[dict]]:
        if not hasattr(self, "_cbc"):
            self._cbc: dict[str, list[dict]] = {}
            for x in self.by_kind["小区"]:
                self._cbc.setdefault(self.community_of[x["id"]], []).append(x)
        return self._cbc

    # ---------------------------------------------------------------- projects, needs, milestones
    def make_projects(self) -> None:
        rng = self.rng
        leads = self.by_kind["共建单位"] * 2 + self.by_kind["物业企业"] + self.by_kind["社区"]
        partners = self.by_kind["共建单位"] + self.by_kind["物业企业"] + self.by_kind.get("社会组织", [])
        places = self.by_kind["社区"] + self.by_kind["小区"] * 2
        decisions_by_host: dict[str, list[dict]] = {}
        for d in self.tables["decisions"]:
            if d["status"] == "有效" and d["passed"]:
                decisions_by_host.setdefault(d["community_id"], []).append(d)
        projects, needs, milestones = [], [], []
        linked_needs = min(self.n["needs"], round(self.n["projects"] * 0.55))
        for i in range(1, self.n["projects"] + 1):
            place = rng.choice(places)
            p = self._project(i, place, rng.choice(leads), partners)
            community = self.community_of[place["id"]]
            candidates = [d for d in decisions_by_host.get(community, ()) if d["date"] <= p["start_date"]]
            if candidates and rng.random() < 0.6:
                p["decision_id"] = rng.choice(candidates[-20:])["id"]
            if len(needs) < linked_needs:
                need = self._need_for(len(needs) + 1, p)
                p["need_id"] = need["id"]
                needs.append(need)
            milestones.extend(self._milestones(p))
            projects.append(p)
        while len(needs) < self.n["needs"]:
            needs.append(self._standalone_need(len(needs) + 1))
        self.tables.update(projects=projects, needs=needs, milestones=milestones)

    def _project(self, i: int, place: dict, lead: dict, partners: list[dict]) -> dict:
        rng = self.rng
        category = rng.choice(list(PROJECT_KINDS))
        kind = rng.choice(PROJECT_KINDS[category])
        start = self.day_between(dt.date(2023, 2, 1), dt.date(2026, 11, 15))
        due = start + dt.timedelta(days=rng.randint(30, 540))
        age = (TODAY - start).days
        status = self._project_status(age, due)
        budget = rng.randint(2, 600) * 1000
        completed = progress = None
        overspent = False
        if status in ("已完成", "已验收"):
            completed = self.day_between(start + dt.timedelta(days=min(20, age)), min(due + dt.timedelta(days=60), TODAY))
            progress = 100
        elif status == "实施中":
            progress = rng.randint(5, 95)
        elif status == "已立项":
            progress = 0
        else:
            progress = rng.randint(0, 60)
        spent = 0 if status == "已立项" else round(budget * (progress / 100) * rng.uniform(0.85, 1.0))
        if status in ("已完成", "已验收") and rng.random() < 0.02:
            spent = round(budget * rng.uniform(1.01, 1.15))  # overspent: a warning, never an error
            overspent = True
        chosen = rng.sample(partners, rng.randint(0, 3))
        names = place["name"]
        return {
            "id": f"p-{i:05d}", "title": f"{names}{kind}", "community_id": place["id"], "lead_unit_id": lead["id"],
            "partner_unit_ids": ";".join(u["id"] for u in chosen if u["id"] != lead["id"]), "need_id": "",
            "decision_id": "", "category": category, "budget_yuan": budget, "spent_yuan": spent,
            "start_date": iso(start), "due_date": iso(due), "status": status, "completed_on": iso(completed),
            "progress": progress, "beneficiaries": rng.randint(20, 3000),
            "summary": f"在{names}实施{kind}，由{lead['name']}负责，按议定方案分阶段推进并公开进展。",
            "outcome": (f"{kind}已完成，居民验收满意。" + ("因施工中增加管线迁改，支出超过预算，超支部分经议事会同意。" if overspent else ""))
            if completed else "",
            "photos": "",
        }

    def _project_status(self, age: int, due: dt.date) -> str:
        r = self.rng.random()
        if age < 30:
            return "已立项" if r < 0.6 else "实施中"
        if due >= TODAY:
            return "实施中" if r < 0.55 else ("已立项" if r < 0.65 else ("已完成" if r < 0.85 else "已验收"))
        if r < 0.06:
            return "实施中"  # overdue
        return "已终止" if r < 0.1 else ("已完成" if r < 0.35 else "已验收")

    def _need_for(self, i: int, p: dict) -> dict:
        rng = self.rng
        start = dt.date.fromisoformat(p["start_date"])
        raised = start - dt.timedelta(days=rng.randint(7, 150))
        status = {"已完成": "已解决", "已验收": "已解决", "实施中": "办理中", "已立项": "已认领", "已终止": "办理中"}[p["status"]]
        resolved = p["completed_on"] if status == "已解决" else ""
        community = p["community_id"]
        return {"id": f"n-{i:05d}", "community_id": community,
                "title": f"{self._unit_name(community)}{rng.choice(NEED_PROBLEMS[p['category']])}",
                "category": p["category"], "source": rng.choice(NEED_SOURCES), "raised_on": iso(raised),
                "status": status, "claimed_by": p["lead_unit_id"], "resolved_on": resolved,
                "resolution": f"已立项实施：{p['title']}。" if status == "已解决" else ""}

    def _standalone_need(self, i: int) -> dict:
        rng = self.rng
        place = rng.choice(self.by_kind["小区"] + self.by_kind["网格"] + self.by_kind["社区"])
        category = rng.choice(list(NEED_PROBLEMS))
        raised = self.day_between(dt.date(2023, 1, 1), TODAY - dt.timedelta(days=1))
        status = rng.choices(["待认领", "已认领", "办理中", "已解决", "不予立项"], [20, 15, 15, 40, 10])[0]
        claimed = "" if status in ("待认领", "不予立项") else rng.choice(
            self.by_kind["共建单位"] + self.by_kind["物业企业"] + self.by_kind["社区"])["id"]
        resolved = self.day_between(raised, min(raised + dt.timedelta(days=120), TODAY)) if status == "已解决" else None
        resolution = {"已解决": "已协调相关单位办结，居民回访满意。", "不予立项": "经议事会研究，不属于本社区职责范围，已向居民解释并转交相关部门。"}
        return {"id": f"n-{i:05d}", "community_id": place["id"],
                "title": f"{place['name']}{rng.choice(NEED_PROBLEMS[category])}", "category": category,
                "source": rng.choice(NEED_SOURCES), "raised_on": iso(raised), "status": status, "claimed_by": claimed,
                "resolved_on": iso(resolved), "resolution": resolution.get(status, "")}

    def _milestones(self, p: dict) -> list[dict]:
        rng = self.rng
        status = p["status"]
        if status == "已立项":
            return []
        start = dt.date.fromisoformat(p["start_date"])
        end = dt.date.fromisoformat(p["completed_on"]) if p["completed_on"] else TODAY
        span = (end - start).days
        count = {"实施中": rng.randint(1, 3), "已终止": rng.randint(0, 1)}.get(status, rng.randint(2, 4))
        count = min(count, span + 1, len(MILESTONE_STAGES))
        if count <= 0:
            return []
        offsets = sorted(rng.sample(range(span + 1), count))
        if status in ("已完成", "已验收"):
            offsets[-1] = span
            offsets = sorted(set(offsets))
        top = p["progress"]
        levels = sorted(rng.randint(5, max(5, top)) for _ in offsets)
        if status in ("已完成", "已验收"):
            levels[-1] = 100
        levels = [min(level, top) for level in levels]
        stages = MILESTONE_STAGES[-len(offsets):] if status in ("已完成", "已验收") else MILESTONE_STAGES[:len(offsets)]
        return [{"project_id": p["id"], "date": iso(start + dt.timedelta(days=o)), "title": stage,
                 "description": f"{p['title']}：完成{stage}。", "progress": level, "photos": ""}
                for o, level, stage in zip(offsets, levels, stages)]

    def _unit_name(self, uid: str) -> str:
        if not hasattr(self, "_names"):
            self._names = {u["id"]: u["name"] for u in self.units}
        return self._names[uid]

    # ---------------------------------------------------------------- evaluations
    def make_evaluations(self) -> None:
        rng = self.rng
        quality = {u["id"]: min(99.0, max(35.0, rng.gauss(82, 10))) for u in self.units}
        for firm in self.by_kind["物业企业"][::9]:  # a few poor firms: 黑榜, 约谈, cards
            quality[firm["id"]] = rng.uniform(45, 58)
        evaluations, items = [], []
        rated = [(f, PERIODS) for f in self.by_kind["物业企业"]]
        for i in range(self.n["evaluations"]):
            if i < len(rated) * len(PERIODS):  # every firm rated in every period first
                subject, period, project = rated[i // len(PERIODS)][0], PERIODS[i % len(PERIODS)], None
            else:
                subject, period, project = self._evaluation_target()
            ev = self._evaluation(len(evaluations) + 1, subject, period, project, quality[subject["id"]])
            evaluations.append(ev)
            items.extend(self._items(ev, subject["kind"]))
        self.tables.update(evaluations=evaluations, evaluation_items=items)

    def _evaluation_target(self):
        rng = self.rng
        if rng.random() < 0.4:
            done = self._evaluable_projects()
            if done:
                p, period = rng.choice(done)
                return self._units_by_id()[p["lead_unit_id"]], period, p
        kind = rng.choices(["物业企业", "社区", "共建单位", "业委会", "社会组织"], [30, 20, 25, 20, 5])[0]
        return rng.choice(self.by_kind.get(kind) or self.by_kind["社区"]), rng.choice(PERIODS), None

    def _evaluable_projects(self):
        if not hasattr(self, "_evaluable"):
            last = dt.date(2026, 6, 30)
            self._evaluable = [(p, half_year(dt.date.fromisoformat(p["completed_on"])))
                               for p in self.tables["projects"]
                               if p["completed_on"] and dt.date.fromisoformat(p["completed_on"]) <= last
                               and dt.date.fromisoformat(p["completed_on"]) >= dt.date(2024, 1, 1)]
        return self._evaluable

    def _units_by_id(self):
        if not hasattr(self, "_ubi"):
            self._ubi = {u["id"]: u for u in self.units}
        return self._ubi

    def _evaluation(self, i, subject, period, project, quality) -> dict:
        rng = self.rng
        score = round(min(100.0, max(0.0, rng.gauss(quality, 4))), 1)
        if project is not None:
            evaluator, method = "居民", rng.choice(["现场评单", "电话回访"])
        else:
            evaluator = rng.choices(["居民", "社区党组织", "第三方", "共建单位", "行业主管部门"], [50, 20, 15, 8, 7])[0]
            method = {"居民": rng.choice(["微信投票", "电话回访", "现场评单"]), "社区党组织": "座谈会",
                      "第三方": "第三方测评", "共建单位": "座谈会", "行业主管部门": "明察暗访"}[evaluator]
        respondents = satisfied = ""
        if method != "明察暗访":
            respondents = rng.randint(8, 20) if method == "座谈会" else rng.randint(30, 600)
            rate = min(1.0, max(0.0, (score - 40) / 60 + rng.uniform(-0.05, 0.05)))
            satisfied = min(respondents, round(respondents * rate))
        return {"id": f"ev-{i:06d}", "period": period, "subject_id": subject["id"],
                "project_id": project["id"] if project else "", "evaluator": evaluator, "method": method,
                "score": score, "respondents": respondents, "satisfied": satisfied,
                "comment": rng.choice(COMMENTS) if rng.random() < 0.3 else ""}

    def _items(self, ev: dict, kind: str) -> list[dict]:
        if ev["evaluator"] not in ("社区党组织", "第三方", "行业主管部门") or kind not in CRITERIA:
            return []
        out = []
        for criterion, top in CRITERIA[kind]:
            value = round(min(top, max(0.0, top * ev["score"] / 100 + self.rng.uniform(-1.5, 1.5))), 1)
            out.append({"evaluation_id": ev["id"], "criterion": criterion, "score": value, "max_score": top})
        return out

    # ---------------------------------------------------------------- all
    def generate(self) -> dict[str, list[dict]]:
        self.make_units()
        self.tables["units"] = self.units
        self.make_pairings()
        self.make_resources()
        self.make_decisions()
        self.make_projects()
        self.make_evaluations()
        self.make_double_report()
        self.make_whistles()
        return self.tables

    # ---------------------------------------------------------------- 双报到, 双向积分, 吹哨报到
    def make_double_report(self) -> None:
        rng, n = self.rng, self.n
        communities = self.by_kind["社区"]
        reporters = self.by_kind["共建单位"] + self.by_kind["物业企业"] + self.by_kind.get("社会组织", [])
        seen, regs = set(), []
        for i in range(1, n["registrations"] * 20):
            if len(regs) >= n["registrations"]:
                break
            unit, community = rng.choice(reporters), rng.choice(communities)
            if (unit["id"], community["id"]) in seen or self.community_of.get(unit.get("parent_id") or "") == community["id"]:
                continue
            seen.add((unit["id"], community["id"]))
            since = self.day_between(dt.date(2021, 1, 1), dt.date(2026, 6, 30))
            ended = self.day_between(since + dt.timedelta(days=60), TODAY - dt.timedelta(days=1)) if rng.random() < 0.05 else None
            regs.append({"id": f"bd-{len(regs) + 1:04d}", "unit_id": unit["id"], "community_id": community["id"],
                         "since": iso(since), "members": rng.randint(5, 57), "ended_on": iso(ended),
                         "note": f"认领{rng.choice(list(POINT_ITEMS))}服务岗位"})
        live = [r for r in regs if not r["ended_on"]]
        total = sum(r["members"] for r in live)
        for r in live:  # the members of the registrations active today add up to seed 001's figure
            r["members"] = max(1, round(r["members"] * n["members"] / total))
        live[0]["members"] += n["members"] - sum(r["members"] for r in live)
        self.tables["registrations"] = regs
        items = []
        for category, titles in POINT_ITEMS.items():
            for k, title in enumerate(titles, start=1):
                stars = (1, 3, 5, 3, 1)[k - 1]
                items.append({"id": f"jf-{len(items) + 1:02d}", "category": category, "title": title, "stars": stars,
                              "points": stars})
        self.tables["point_items"] = items
        solved: dict[str, list[str]] = {}
        for need in self.tables["needs"]:
            if need["status"] == "已解决":
                solved.setdefault(self.community_of.get(need["community_id"], ""), []).append(need["id"])
        services, earned = [], {}
        for i in range(1, n["services"] + 1):
            r = rng.choice(regs)
            start = max(dt.date.fromisoformat(r["since"]), dt.date(2024, 1, 1))
            end = dt.date.fromisoformat(r["ended_on"]) if r["ended_on"] else TODAY
            day = self.day_between(start, max(start, end))
            item, people = rng.choice(items), rng.randint(2, 20)
            rated = people * 2
            needs = solved.get(r["community_id"], [])
            services.append({"id": f"fw-{i:05d}", "date": iso(day), "community_id": r["community_id"], "unit_id": r["unit_id"],
                             "title": item["title"], "item_id": item["id"], "participants": people,
                             "hours": people * rng.choice((1, 2, 3)), "points": item["points"] * people,
                             "need_id": rng.choice(needs) if needs and rng.random() < 0.3 else "",
                             "rated": rated, "satisfied": rated if rng.random() < 0.82 else rated - 1})
            key = (r["community_id"], f"{day.year}-H{1 if day.month <= 6 else 2}")
            earned[key] = earned.get(key, 0) + item["points"] * people
        self.tables["services"] = services
        self.tables["point_exchanges"] = [
            {"id": f"dh-{k:04d}", "community_id": community, "period": period, "points": points // 2,
             "purpose": rng.choice(["商家让利", "社区补贴", "公共服务"]), "times": max(1, points // 40),
             "note": "在社区合作商户和服务站兑换"}
            for k, ((community, period), points) in enumerate(sorted(earned.items()), start=1) if points >= 2]

    def make_whistles(self) -> None:
        rng, rows = self.rng, []
        callers = self.by_kind["社区"] * 4 + self.by_kind["街道"]
        departments = self.by_kind["共建单位"] + self.by_kind["物业企业"]
        for i in range(1, self.n["whistles"] + 1):
            blown = self.day_between(dt.date(2024, 1, 1), TODAY)
            arrived = blown + dt.timedelta(days=rng.choice((0, 1, 1, 1, 2, 2, 3, 4, 6))) if rng.random() < 0.92 else None
            arrived = arrived if arrived and arrived <= TODAY else None
            done = arrived + dt.timedelta(days=rng.randint(0, 20)) if arrived and rng.random() < 0.8 else None
            done = done if done and done <= TODAY else None
            kind = rng.choice(list(PROJECT_KINDS))
            rows.append({"id": f"cs-{i:04d}", "title": f"{rng.choice(PROJECT_KINDS[kind])}需部门协同处置",
                         "community_id": rng.choice(callers)["id"], "department_id": rng.choice(departments)["id"],
                         "blown_on": iso(blown), "arrived_on": iso(arrived), "done_on": iso(done),
                         "outcome": "已到场会商，明确分工" if arrived else ""})
        self.tables["whistles"] = rows


# ---------------------------------------------------------------- privacy self-check
_DIGIT_RUN = re.compile(r"\d[\d\s\-+]{9,}\d")


def check_no_personal_numbers(tables: dict[str, list[dict]]) -> None:
    """Fail loudly if generated text could look like a mobile, ID or bank-card number."""
    for name, rows in tables.items():
        for row in rows:
            for field, value in row.items():
                if not isinstance(value, str) or (name, field) == ("units", "contact"):
                    continue
                for run in _DIGIT_RUN.findall(value):
                    digits = re.sub(r"\D", "", run)
                    if len(digits) >= 11:
                        raise AssertionError(f"{name}.{field} {row}: digit run {run!r}")
            contact = row.get("contact") if name == "units" else None
            if contact and not re.fullmatch(rf"{AREA_CODE}-555\d{{4}}", contact):
                raise AssertionError(f"bad contact {contact!r}")


# ---------------------------------------------------------------- writing
def write_portal(out: Path, tables: dict[str, list[dict]], scale: float) -> None:
    datasets = out / "datasets"
    datasets.mkdir(parents=True, exist_ok=True)
    for name, fields in FIELDS.items():
        with open(datasets / f"{name}.csv", "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
            writer.writeheader()
            writer.writerows(tables.get(name, []))
    content = out / "content"
    (content / "minutes").mkdir(parents=True, exist_ok=True)
    photos = sorted((REPO / "content" / "images" / "projects").glob("*.png"))
    if photos:
        (content / "images" / "projects").mkdir(parents=True, exist_ok=True)
        for photo in photos:
            shutil.copy2(photo, content / "images" / "projects" / photo.name)
    (content / "about.md").write_text(ABOUT.format(district=DISTRICT, scale=scale), encoding="utf-8")
    for d in (d for d in tables["decisions"] if d["minutes"]):
        (content / d["minutes"]).write_text(MINUTES.format(**d, day=zh_date(dt.date.fromisoformat(d["date"]))), encoding="utf-8")
    (out / "site_config.yml").write_text(site_config(), encoding="utf-8")


def attach_media(tables: dict[str, list[dict]], rng: random.Random, minutes_share: float = 0.1) -> int:
    """Minutes for some decisions and before/after photos for some completed projects."""
    photos = [f"images/projects/{p.name}" for p in sorted((REPO / "content" / "images" / "projects").glob("*.png"))]
    step = max(1, round(1 / minutes_share))
    chosen = tables["decisions"][::step]
    for d in chosen:
        d["minutes"] = f"minutes/{d['id']}.md"
    if photos:
        for p in tables["projects"]:
            if p["completed_on"] and rng.random() < 0.1:
                p["photos"] = ";".join(rng.sample(photos, min(2, len(photos))))
    return len(chosen)


def site_config() -> str:
    """The demo's site_config.yml with a benchmark name and the reference date fixed."""
    text = (REPO / "site_config.yml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^site_name:.*$", f"site_name: {DISTRICT} · 党建引领社区治理公开网（基准测试）", text)
    text = re.sub(r"(?m)^site_description:.*$", f"site_description: {DISTRICT}基准测试数据：三张清单、决策、项目进展和居民评价。", text)
    text = re.sub(r"(?m)^site_url:.*$", "site_url: https://gongkai.example.org/benchmark/", text)
    text = re.sub(r"(?m)^(\s*)today:.*$", rf'\1today: "{TODAY.isoformat()}"', text)
    if f'today: "{TODAY.isoformat()}"' not in text:
        text = re.sub(r"(?m)^(\s*)- gongkai:\s*$", rf'\1- gongkai:\n\1    today: "{TODAY.isoformat()}"', text)
    return text


ABOUT = """# 关于本站

本站是{district}党建引领社区治理公开平台的**基准测试数据**（规模系数 {scale}），由 `benchmarks/generate.py`
按数据标准自动生成，街道、社区、单位、项目和数据均为虚构。

## 公开哪些内容

- **组织与单位**：街道、社区、网格、小区、楼栋，以及共建单位、物业服务企业、业主委员会、社会组织和志愿服务队。
- **三张清单**：需求清单、资源清单和项目清单。
- **决策公开**：联席会议、议事会和业主大会的决议、表决结果和公示期。
- **结果公开**：项目进展、实施结果和居民评价。

| 栏目 | 更新频率 |
|---|---|
| 决策公开 | 会后5个工作日内 |
| 项目进展 | 每完成一个阶段 |
| 评价结果 | 每半年 |
"""

MINUTES = """# {title}（会议纪要）

- **时间**：{day}
- **地点**：{location}
- **决策机构**：{body}
- **参会**：{attendees}人

## 议题

{title}。

## 决议

{resolution}
"""


def generate(scale: float, out: Path, seed: int = 20261125) -> dict[str, int]:
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        if not (out / "site_config.yml").is_file():
            raise SystemExit(f"{out} exists and is not a generated portal; refusing to overwrite it")
        for sub in ("datasets", "content"):
            shutil.rmtree(out / sub, ignore_errors=True)
    gen = Generator(scale, seed)
    tables = gen.generate()
    attach_media(tables, gen.rng)
    check_no_personal_numbers(tables)
    write_portal(out, tables, scale)
    return {name: len(rows) for name, rows in tables.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate a district-scale gongkai portal for benchmarks.")
    parser.add_argument("--scale", type=float, default=1.0, help="1 = one district (default)")
    parser.add_argument("--out", required=True, help="portal folder to write (created; regenerated if it was generated before)")
    parser.add_argument("--seed", type=int, default=20261125)
    args = parser.parse_args(argv)
    counts = generate(args.scale, Path(args.out), args.seed)
    print(json.dumps({"out": str(Path(args.out).resolve()), "today": TODAY.isoformat(), "rows": counts},
                     ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
