#!/usr/bin/env python3
"""Writes a synthetic township public-safety site that both anxuan and Hugo build.

    python3 bench/gen_site.py --pages 10000 --out bench-out/site-10000

The output is deterministic for a given --pages and --seed: the same content, the
same dates, the same tags. Front matter is TOML between `+++` lines and uses only
the keys anxuan accepts for each section; Hugo ignores the ones it does not know.

Shape (kept on purpose, see bench/README.md):
  * 70 % notices, 10 % warnings, 10 % campaigns, 10 % stats;
  * a few very large tags (安全生产 on ~95 % of pages, 防灾减灾 on ~50 %,
    应急管理 on ~25 %) plus 200 small tags drawn with a skew, and 10 categories;
  * bodies of 600–2,000 characters: paragraphs, `##` headings, a list, bold text,
    sometimes a GFM table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import sys
from pathlib import Path

TZ = dt.timezone(dt.timedelta(hours=8))
YEAR_START = dt.datetime(2023, 1, 1, 8, 0, 0, tzinfo=TZ)
# Pages are spread over the first 360 days so that a warning's expiry, at most
# three days later, stays inside 2023 (every warning is expired at build time).
SPAN_SECONDS = 360 * 24 * 3600

SECTIONS = [
    # (directory, file prefix, title, description, share)
    ("notices", "notice", "通知公告", "镇政府及各部门发布的安全工作通知和公告", 0.70),
    ("warnings", "warning", "预警信息", "气象、地质、森林火险等预警信息", 0.10),
    ("campaigns", "campaign", "宣传活动", "安全宣传进村入户活动", 0.10),
    ("stats", "stats", "数据统计", "隐患排查和安全检查数据", 0.10),
]

VILLAGES = [
    "青山", "柳溪", "石桥", "桃源", "梅岭", "竹园", "杨湾", "枫林", "松坪", "杏花",
    "龙潭", "凤鸣", "白沙", "黄泥", "红岩", "金盆", "清水", "高坪", "马鞍", "长岗",
]
TOPICS = ["防汛", "消防", "燃气", "交通", "地灾", "森防", "用电", "校园", "食品", "养老"]
SMALL_TAGS = [f"{v}村{t}" for v in VILLAGES for t in TOPICS]  # 200 small tags
BIG_TAGS = [("安全生产", 0.95), ("防灾减灾", 0.50), ("应急管理", 0.25)]
CATEGORIES = [
    "政策法规", "工作动态", "隐患排查", "应急演练", "宣传教育",
    "预警发布", "统计报告", "典型案例", "志愿服务", "基层治理",
]

THEMES = {
    "安全生产": {
        "subjects": ["企业主要负责人", "安全管理人员", "各村（社区）", "镇安监站", "辖区生产经营单位", "网格员"],
        "sentences": [
            "要严格落实安全生产主体责任，做到责任到人、措施到位",
            "对辖区内小作坊、小加工点开展拉网式排查，建立隐患台账",
            "坚持“管行业必须管安全、管业务必须管安全、管生产经营必须管安全”",
            "发现重大事故隐患要立即停产整改，整改不到位的坚决不得恢复生产",
            "有限空间作业必须严格执行“先通风、再检测、后作业”的要求",
            "特种作业人员必须持证上岗，严禁无证操作",
            "动火作业前要办理审批手续，清理周边可燃物并安排专人监护",
            "要加强对外包施工队伍的安全管理，签订安全协议，明确双方责任",
        ],
        "bold": ["严禁无证上岗", "严禁违章指挥", "立即停产整改", "先通风再检测后作业"],
        "headings": ["压实安全生产责任", "开展隐患排查整治", "强化重点行业监管"],
    },
    "防汛": {
        "subjects": ["各村防汛责任人", "巡查人员", "水库管理员", "镇防汛办", "沿河群众"],
        "sentences": [
            "汛期要严格执行二十四小时值班和领导带班制度，确保信息畅通",
            "对山塘水库、河道堤防、低洼易涝点开展拉网式巡查",
            "遇强降雨时要及时组织危险区域群众转移到安全地带",
            "防汛物资要提前储备到位，沙袋、救生衣、抽水泵等要定点存放",
            "严禁在河道、沟渠内游泳、捕鱼，雨天不要在河边逗留",
            "转移安置点要落实食宿、医疗和安全保障，做到转得出、安置好",
            "要及时收听收看天气预报，关注镇政府发布的防汛预警信息",
        ],
        "bold": ["不要涉水过河", "及时转移避险", "二十四小时值班"],
        "headings": ["做好汛前准备", "加强汛期巡查", "落实群众转移"],
    },
    "地质灾害": {
        "subjects": ["地质灾害监测员", "隐患点周边群众", "镇自然资源所", "各村监测责任人"],
        "sentences": [
            "强降雨期间及降雨过后，要加密对滑坡、崩塌隐患点的巡查频次",
            "发现山体开裂、房屋变形、井水突然浑浊等异常情况要立即报告",
            "要熟悉撤离路线和避险场所，听到预警信号后迅速撤离",
            "不要在陡坡下、沟口处建房，切坡建房须经专业技术人员评估",
            "群测群防员要每天记录监测数据，做到早发现、早报告、早处置",
            "受威胁群众要妥善保管明白卡，牢记撤离信号和联系人电话",
        ],
        "bold": ["发现险情立即撤离", "不要冒险返回", "早发现早报告"],
        "headings": ["加强隐患点监测", "熟悉避险撤离路线", "落实群测群防"],
    },
    "森林防火": {
        "subjects": ["护林员", "进山人员", "各村森林防火责任人", "镇林业站", "半专业扑火队"],
        "sentences": [
            "森林防火期内严禁野外用火，不得在林区吸烟、烧烤、烧纸祭祀",
            "清明节、春节等重点时段要在主要进山路口设卡，劝导进山人员文明祭祀",
            "农事用火必须报村委会审批，并有专人看守、备好扑火工具",
            "发现山火要立即拨打报警电话，不要擅自组织老人、儿童参与扑救",
            "护林员要加强日常巡山护林，及时制止违规用火行为",
            "要提倡鲜花祭祀、植树祭祀等文明祭扫方式，减少火灾隐患",
        ],
        "bold": ["严禁野外用火", "文明祭扫", "发现火情立即报警"],
        "headings": ["严格野外火源管控", "加强巡山护林", "提升扑火能力"],
    },
    "燃气安全": {
        "subjects": ["燃气用户", "餐饮经营者", "燃气供应企业", "镇市场监管所", "入户检查人员"],
        "sentences": [
            "使用燃气时要保持通风，人不要离开灶台，用完后及时关闭阀门",
            "要定期检查燃气软管，发现老化、龟裂要及时更换为金属波纹管",
            "餐饮场所必须安装可燃气体报警装置，并与切断阀联动",
            "闻到燃气异味时不要开关电器、不要使用明火，应立即开窗通风并到室外报警",
            "严禁私自改装、拆装燃气管道和设施，严禁使用不合格的气瓶",
            "液化石油气钢瓶要直立放置，不得倒置、卧放或靠近热源",
        ],
        "bold": ["闻到异味不要开关电器", "用完及时关阀", "严禁私拆燃气设施"],
        "headings": ["规范燃气使用", "开展燃气入户检查", "整治餐饮场所隐患"],
    },
    "消防": {
        "subjects": ["居民群众", "沿街商铺", "出租房屋业主", "镇消防工作站", "志愿消防队"],
        "sentences": [
            "电动自行车不要在楼道、门厅停放，更不要进楼入户充电",
            "要定期检查家中电线是否老化，不要私拉乱接电线、超负荷用电",
            "楼道、安全出口要保持畅通，严禁堆放杂物、封闭疏散通道",
            "家庭要配备灭火器、灭火毯等消防器材，并学会正确使用",
            "“三合一”场所要落实防火分隔措施，住宿与生产经营区域分开设置",
            "发生火灾时要沉着冷静，用湿毛巾捂住口鼻，低姿沿疏散指示方向撤离",
            "老人、儿童在家时要注意用火用电安全，不要玩火",
        ],
        "bold": ["严禁电动车进楼入户", "保持疏散通道畅通", "不要私拉乱接电线"],
        "headings": ["消除家庭火灾隐患", "整治电动自行车充电", "提升自救逃生能力"],
    },
    "道路交通": {
        "subjects": ["驾驶人", "中小学生", "农用车驾驶员", "镇交管站", "各村劝导员"],
        "sentences": [
            "驾驶摩托车、电动自行车要佩戴安全头盔，不要超员载人",
            "严禁酒后驾驶、无证驾驶，农用车不得违法载人",
            "雨雾天气行车要减速慢行，保持安全车距，开启雾灯",
            "过马路要走斑马线，做到一停二看三通过",
            "农村道路急弯陡坡路段要增设警示标志和防护设施",
            "学生上下学要乘坐合规校车，不要乘坐无牌无证车辆",
        ],
        "bold": ["戴好安全头盔", "严禁酒后驾驶", "一停二看三通过"],
        "headings": ["整治农村交通隐患", "开展交通安全劝导", "守护学生出行安全"],
    },
}
THEME_NAMES = list(THEMES)
HAZARDS = {
    "防汛": ["暴雨", "洪水", "山洪"],
    "地质灾害": ["地质灾害", "滑坡"],
    "森林防火": ["森林火险", "高温"],
    "燃气安全": ["大风", "寒潮"],
    "消防": ["高温", "干旱"],
    "道路交通": ["大雾", "道路结冰"],
    "安全生产": ["雷电", "大风"],
}
ISSUERS = ["县气象台", "县自然资源局", "县应急管理局", "县林业局", "县水利局"]
LEVELS = ["blue", "yellow", "orange", "red"]
CONNECTIVES = ["同时，", "此外，", "另外，", "与此同时，", "特别是，", "", "", ""]
TITLE_PATTERNS = [
    "关于做好{v}村{t}工作的通知",
    "{v}村开展{t}专项检查",
    "{m}月{t}工作提示",
    "关于进一步加强{t}工作的通知",
    "{v}村召开{t}工作会议",
    "{t}知识进{v}村",
    "镇{t}工作周报（第{n}期）",
]


def cn_num(n: int) -> str:
    return "一二三四五六七八九十"[n - 1] if 1 <= n <= 10 else str(n)


def toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def toml_list(items: list[str]) -> str:
    return "[" + ", ".join(toml_str(i) for i in items) + "]"


def toml_dt(d: dt.datetime) -> str:
    return d.isoformat(timespec="seconds")


class Writer:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def sentence(self, theme: str) -> str:
        r = self.rng
        t = THEMES[theme]
        s = r.choice(t["sentences"])
        form = r.random()
        if form < 0.25:
            s = f"{r.choice(t['subjects'])}{s}"
        elif form < 0.40:
            s = f"{r.choice(VILLAGES)}村{s}"
        elif form < 0.50:
            s = f"截至{r.randint(1, 12)}月{r.randint(1, 28)}日，全镇共排查各类隐患{r.randint(3, 400)}处，{s}"
        if r.random() < 0.12:
            s += f"，**{r.choice(t['bold'])}**"
        return r.choice(CONNECTIVES) + s + "。"

    def paragraph(self, theme: str) -> str:
        return "".join(self.sentence(theme) for _ in range(self.rng.randint(3, 6)))

    def bullet_list(self, theme: str) -> str:
        r = self.rng
        items = r.sample(THEMES[theme]["sentences"], k=min(len(THEMES[theme]["sentences"]), r.randint(3, 5)))
        ordered = r.random() < 0.5
        lines = []
        for i, it in enumerate(items, 1):
            lead = f"{i}. " if ordered else "- "
            if r.random() < 0.3:
                it = f"**{r.choice(THEMES[theme]['bold'])}**：{it}"
            lines.append(f"{lead}{it}；")
        lines[-1] = lines[-1][:-1] + "。"
        return "\n".join(lines)

    def table(self) -> str:
        r = self.rng
        rows = ["| 村（社区） | 排查隐患（处） | 已整改（处） | 整改率 |", "| --- | ---: | ---: | ---: |"]
        for v in r.sample(VILLAGES, k=r.randint(3, 6)):
            found = r.randint(5, 80)
            fixed = r.randint(found // 2, found)
            rows.append(f"| {v}村 | {found} | {fixed} | {fixed * 100 // found}% |")
        return "\n".join(rows)

    def body(self, theme: str, target: int) -> str:
        r = self.rng
        t = THEMES[theme]
        # (kind, text): "p" paragraphs may be dropped to stay near the target length.
        blocks: list[tuple[str, str]] = [("intro", self.paragraph(theme))]
        headings = r.sample(t["headings"], k=r.randint(1, 2))
        n_paras = r.randint(3, 8)
        # 3–8 paragraphs in all, a heading before the second and (maybe) a middle one.
        for i in range(1, n_paras):
            if i == 1:
                blocks.append(("h", f"## {cn_num(1)}、{headings[0]}"))
            elif len(headings) > 1 and i == (n_paras + 1) // 2:
                blocks.append(("h", f"## {cn_num(2)}、{headings[1]}"))
            blocks.append(("p", self.paragraph(theme)))
            if i == 1:
                blocks.append(("list", self.bullet_list(theme)))
        # Fill up towards the target length, or drop paragraphs above 2,000
        # characters as long as at least 600 remain.
        size = lambda: sum(len(b) + 2 for _, b in blocks)
        while size() < target:
            blocks.append(("p", self.paragraph(theme)))
        while size() > 2000:
            drop = [i for i, (k, _) in enumerate(blocks) if k == "p"]
            if len(drop) <= 2 or size() - len(blocks[drop[-1]][1]) < 600:
                break
            blocks.pop(drop[-1])
        if r.random() < 0.15:
            blocks.append(("p", "各村排查整改情况如下："))
            blocks.append(("table", self.table()))
        return "\n\n".join(b for _, b in blocks) + "\n"


# The small tags in a fixed shuffled order, so the frequent ones are spread over villages.
_SMALL_ORDER = random.Random(7).sample(SMALL_TAGS, k=len(SMALL_TAGS))


def pick_small_tags(rng: random.Random, k: int) -> list[str]:
    """k distinct small tags: 30 % drawn with a skew (a few medium-sized tags of
    ~1,000 pages in 10,000), 70 % uniformly (a long tail of tags with a handful of pages each)."""
    out: list[str] = []
    while len(out) < k:
        if rng.random() < 0.3:
            idx = min(int((rng.paretovariate(1.0) - 1) * 4), len(_SMALL_ORDER) - 1)
        else:
            idx = rng.randrange(len(_SMALL_ORDER))
        tag = _SMALL_ORDER[idx]
        if tag not in out:
            out.append(tag)
    return out


def allocate(n: int) -> list[int]:
    counts = [int(n * s[4]) for s in SECTIONS]
    counts[0] += n - sum(counts)
    return counts


def write_page(path: Path, kind: str, idx: int, date: dt.datetime, rng: random.Random, w: Writer) -> int:
    theme = rng.choice(THEME_NAMES)
    v = rng.choice(VILLAGES)
    short = {"安全生产": "安全生产", "防汛": "防汛", "地质灾害": "地质灾害防治", "森林防火": "森林防火",
             "燃气安全": "燃气安全", "消防": "消防安全", "道路交通": "道路交通安全"}[theme]
    if kind == "warning":
        hazard = rng.choice(HAZARDS[theme])
        level = rng.choices(LEVELS, weights=[4, 4, 2, 1])[0]
        level_zh = {"blue": "蓝色", "yellow": "黄色", "orange": "橙色", "red": "红色"}[level]
        title = f"{v}村{hazard}{level_zh}预警（第{idx + 1}号）"
    elif kind == "stats":
        title = f"{date.month}月第{(date.day - 1) // 7 + 1}周{short}检查情况统计（{idx + 1}）"
    elif kind == "campaign":
        title = f"“{short}进{v}村”宣传活动（第{idx + 1}场）"
    else:
        title = rng.choice(TITLE_PATTERNS).format(v=v, t=short, m=date.month, n=idx + 1)
    tags = [t for t, p in BIG_TAGS if rng.random() < p]
    tags += pick_small_tags(rng, rng.randint(2, 4))
    cats = [CATEGORIES[rng.randrange(len(CATEGORIES))]]
    if rng.random() < 0.2:
        c2 = CATEGORIES[rng.randrange(len(CATEGORIES))]
        if c2 not in cats:
            cats.append(c2)
    desc = f"{v}村{short}工作：{THEMES[theme]['sentences'][rng.randrange(len(THEMES[theme]['sentences']))]}。"

    fm = [
        "+++",
        f"title = {toml_str(title)}",
        f"date = {toml_dt(date)}",
        f"description = {toml_str(desc)}",
        f"tags = {toml_list(tags)}",
        f"categories = {toml_list(cats)}",
    ]
    if kind == "warning":
        issued = date
        expires = issued + dt.timedelta(hours=rng.choice([12, 24, 36, 48, 72]))
        areas = [f"{x}村" for x in rng.sample(VILLAGES, k=rng.randint(1, 4))]
        guidance = rng.sample(THEMES[theme]["sentences"], k=2)
        fm += [
            f"level = {toml_str(level)}",
            f"hazard = {toml_str(hazard)}",
            f"issued = {toml_dt(issued)}",
            f"expires = {toml_dt(expires)}",
            f"areas = {toml_list(areas)}",
            f"issuer = {toml_str(rng.choice(ISSUERS))}",
            f"guidance = {toml_list(guidance)}",
        ]
    elif kind == "campaign":
        start = date.date()
        end = start + dt.timedelta(days=rng.randint(0, 3))
        fm += [
            f"start = {start.isoformat()}",
            f"end = {end.isoformat()}",
            f"location = {toml_str(f'{v}村文化广场')}",
            f"theme = {toml_str(f'{short}知识宣传')}",
        ]
    elif kind == "stats":
        figs = [
            ("排查隐患", rng.randint(20, 400), "项"),
            ("完成整改", rng.randint(10, 300), "项"),
            ("检查单位", rng.randint(5, 120), "家"),
            ("宣传覆盖", rng.randint(200, 9000), "人次"),
        ][: rng.randint(2, 4)]
        items = ", ".join(f"{{ label = {toml_str(l)}, value = {val}, unit = {toml_str(u)} }}" for l, val, u in figs)
        fm.append(f"figures = [{items}]")
    fm.append("+++")
    body = w.body(theme, rng.randint(600, 2000))
    data = ("\n".join(fm) + "\n\n" + body).encode("utf-8")
    path.write_bytes(data)
    return len(data)


def anxuan_config() -> str:
    return (
        'title = "基准测试镇安全宣传"\n'
        'description = "合成基准站点"\n'
        'base_url = "https://bench.example.gov.cn/zhen/"\n'
        'township = "基准镇"\n'
        'timezone = "Asia/Shanghai"\n'
    )


HUGO_CONFIG = """\
baseURL = "https://bench.example.gov.cn/zhen/"
title = "基准测试镇安全宣传"
defaultContentLanguage = "zh"
locale = "zh-CN"
timeZone = "Asia/Shanghai"
hasCJKLanguage = true
summaryLength = 70
disableKinds = []
enableRobotsTXT = false
# anxuan writes one feed with the 30 newest pages; Hugo writes one per list page.
# Cap each at 30 items so feeds do comparable work.
[services.rss]
  limit = 30
[pagination]
  pagerSize = 10
[taxonomies]
  tag = "tags"
  category = "categories"
[outputs]
  home = ["html", "rss"]
  section = ["html", "rss"]
  taxonomy = ["html", "rss"]
  term = ["html", "rss"]
  page = ["html"]
# The navigation is a config menu, the idiomatic Hugo way: `range site.Sections` in
# baseof, run for every output page, took Hugo from 3.6 s to 5.6 s on 3,000 pages.
[menus]
  [[menus.main]]
    name = "通知公告"
    pageRef = "/notices"
    weight = 1
  [[menus.main]]
    name = "预警信息"
    pageRef = "/warnings"
    weight = 2
  [[menus.main]]
    name = "宣传活动"
    pageRef = "/campaigns"
    weight = 3
  [[menus.main]]
    name = "数据统计"
    pageRef = "/stats"
    weight = 4
[params]
  description = "合成基准站点"
  township = "基准镇"
[markup.goldmark.renderer]
  unsafe = false
"""

LAYOUTS = {
    "baseof.html": """\
<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if not .IsHome }}{{ .Title }} - {{ end }}{{ site.Title }}</title>
<meta name="description" content="{{ with .Description }}{{ . }}{{ else }}{{ site.Params.description }}{{ end }}">
<link rel="canonical" href="{{ .Permalink }}">
{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" href="{{ .RelPermalink }}">{{ end }}
</head>
<body>
<header><a href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a>
<nav>{{ range site.Menus.main }}<a href="{{ .URL }}">{{ .Name }}</a> {{ end }}</nav></header>
<main>{{ block "main" . }}{{ end }}</main>
<footer>{{ site.Params.township }}</footer>
</body>
</html>
""",
    "home.html": """\
{{ define "main" }}
<h1>{{ site.Title }}</h1>
<section><h2>栏目</h2><ul>
{{ range site.Sections }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> ({{ len .Pages }})</li>{{ end }}
</ul></section>
<section><h2>最新通知</h2><ul>
{{ range first 5 (where site.RegularPages "Section" "notices").ByDate.Reverse }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time>{{ .Date.Format "2006-01-02" }}</time></li>{{ end }}
</ul></section>
{{ end }}
""",
    "_partials/pager.html": """\
{{ $p := . }}
<nav class="pager">{{ with $p.Prev }}<a href="{{ .URL }}">上一页</a>{{ end }}
<span>第 {{ $p.PageNumber }} / {{ $p.TotalPages }} 页</span>
{{ with $p.Next }}<a href="{{ .URL }}">下一页</a>{{ end }}</nav>
""",
    "_partials/summary.html": """\
<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">{{ .Date.Format "2006年1月2日" }}</time>
<p>{{ .Summary }}</p></article>
""",
    "list.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ $p := .Paginate .Pages }}
{{ range $p.Pages }}{{ partial "summary.html" . }}{{ end }}
{{ partial "pager.html" $p }}
{{ end }}
""",
    "single.html": """\
{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">{{ .Date.Format "2006年1月2日 15:04" }}</time>
{{ with .Parent }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</p>
{{ .Content }}
<ul class="tags">{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
<ul class="categories">{{ range .GetTerms "categories" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
<nav>{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with .NextInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</nav>
</article>
{{ end }}
""",
    "taxonomy.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.ByCount }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.LinkTitle }}</a> ({{ .Count }})</li>{{ end }}</ul>
{{ end }}
""",
    "term.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ $p := .Paginate .Pages }}
{{ range $p.Pages }}{{ partial "summary.html" . }}{{ end }}
{{ partial "pager.html" $p }}
{{ end }}
""",
    "404.html": """\
{{ define "main" }}<h1>页面不存在</h1><p><a href="{{ site.Home.RelPermalink }}">返回首页</a></p>{{ end }}
""",
}


def generate(n: int, out: Path, seed: int) -> dict:
    rng = random.Random(seed)
    w = Writer(rng)
    if out.exists():
        shutil.rmtree(out)
    content = out / "content"
    content.mkdir(parents=True)
    (out / "config.toml").write_text(anxuan_config(), encoding="utf-8")
    (out / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    for name, text in LAYOUTS.items():
        p = out / "layouts" / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")

    counts = allocate(n)
    total_bytes = 0
    # Dates: one global sequence over 2023, dealt to sections round-robin by share,
    # so every section spans the whole year.
    kinds: list[int] = []
    for si, c in enumerate(counts):
        kinds += [si] * c
    rng.shuffle(kinds)
    seen = [0] * len(SECTIONS)
    for si, (d, _, title, desc, _) in enumerate(SECTIONS):
        (content / d).mkdir()
        (content / d / "_index.md").write_text(
            f"+++\ntitle = {toml_str(title)}\ndescription = {toml_str(desc)}\n+++\n", encoding="utf-8"
        )
    for i, si in enumerate(kinds):
        d, prefix, _, _, _ = SECTIONS[si]
        idx = seen[si]
        seen[si] += 1
        secs = (SPAN_SECONDS * i) // max(n, 1)
        # Round to the minute so the times look like real publication times.
        date = YEAR_START + dt.timedelta(seconds=secs - secs % 60)
        path = content / d / f"{prefix}-{idx:05d}.md"
        total_bytes += write_page(path, prefix, idx, date, rng, w)
    return {"pages": n, "bytes": total_bytes, "sections": dict(zip([s[0] for s in SECTIONS], counts))}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, required=True, help="number of content pages (besides section indexes)")
    ap.add_argument("--out", type=Path, required=True, help="site folder to (re)create")
    ap.add_argument("--seed", type=int, default=20230604)
    args = ap.parse_args(argv)
    if args.pages < 1:
        ap.error("--pages must be at least 1")
    info = generate(args.pages, args.out, args.seed)
    secs = ", ".join(f"{k} {v}" for k, v in info["sections"].items())
    print(f"gen_site: {info['pages']} pages ({secs}), {info['bytes'] / 1e6:.1f} MB of Markdown in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
