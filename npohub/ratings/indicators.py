"""The default indicator trees per organisation kind, as data (domain-rules §7).

Each tree is out of 1000 points in four groups: 基础条件, 内部治理, 工作绩效 (社会团体, 基金会) or
业务活动和诚信建设 (社会服务机构), 社会评价. A node is ``(code, name, max points, children)``; the
experts score the leaves, and each parent's maximum is the sum of its children's (``_group``
adds them up). A round copies these trees (or the trees of an earlier round) into its own rows
when it is created, so the bureau edits a round's tree on the page without touching code or any
other round.
"""

from __future__ import annotations

from typing import Any

Node = tuple[str, str, int, tuple[Any, ...]]


def _leaf(code: str, name: str, points: int) -> Node:
    return (code, name, points, ())


def _group(code: str, name: str, *children: Node) -> Node:
    """A parent node worth the sum of its children's points."""
    return (code, name, sum(child[2] for child in children), children)


_SOCIAL_EVALUATION: Node = _group(
    "4",
    "社会评价",
    _leaf("4.1", "内部评价（会员、服务对象满意度）", 60),
    _leaf("4.2", "外部评价（业务主管单位、登记管理机关评价）", 50),
    _leaf("4.3", "表彰奖励与媒体评价", 40),
)

ASSOCIATION: tuple[Node, ...] = (
    _group(
        "1",
        "基础条件",
        _leaf("1.1", "法人资格（登记、变更、年检）", 30),
        _leaf("1.2", "章程与登记事项", 20),
        _leaf("1.3", "办公场所与人员", 30),
    ),
    _group(
        "2",
        "内部治理",
        _leaf("2.1", "发展规划与组织机构", 50),
        _leaf("2.2", "会员（代表）大会、理事会、监事会运行", 90),
        _leaf("2.3", "党建工作", 70),
        _leaf("2.4", "人力资源与档案证章管理", 60),
        _leaf("2.5", "财务管理与资产管理", 100),
    ),
    _group(
        "3",
        "工作绩效",
        _leaf("3.1", "提供服务（会员服务、行业服务）", 120),
        _leaf("3.2", "反映诉求与参与社会治理", 100),
        _leaf("3.3", "行业自律与诚信建设", 90),
        _leaf("3.4", "信息公开与宣传", 90),
    ),
    _SOCIAL_EVALUATION,
)

FOUNDATION: tuple[Node, ...] = (
    _group(
        "1",
        "基础条件",
        _leaf("1.1", "法人资格与原始基金", 40),
        _leaf("1.2", "章程与登记事项", 30),
    ),
    _group(
        "2",
        "内部治理",
        _leaf("2.1", "理事会、监事会运行", 100),
        _leaf("2.2", "党建工作", 70),
        _leaf("2.3", "项目管理制度", 80),
        _leaf("2.4", "财务管理与审计", 130),
    ),
    _group(
        "3",
        "工作绩效",
        _leaf("3.1", "公益支出与管理费用比例", 130),
        _leaf("3.2", "公益项目成效", 150),
        _leaf("3.3", "信息公开", 120),
    ),
    _SOCIAL_EVALUATION,
)

SOCIAL_SERVICE: tuple[Node, ...] = (
    _group(
        "1",
        "基础条件",
        _leaf("1.1", "法人资格与开办资金", 30),
        _leaf("1.2", "章程、场所与人员", 30),
    ),
    _group(
        "2",
        "内部治理",
        _leaf("2.1", "理事会、监事会运行", 100),
        _leaf("2.2", "党建工作", 70),
        _leaf("2.3", "人力资源管理", 80),
        _leaf("2.4", "财务管理与资产管理", 150),
    ),
    _group(
        "3",
        "业务活动和诚信建设",
        _leaf("3.1", "业务活动与服务质量", 160),
        _leaf("3.2", "诚信建设与公益性", 120),
        _leaf("3.3", "信息公开与宣传", 110),
    ),
    _SOCIAL_EVALUATION,
)

TREES: dict[str, tuple[Node, ...]] = {
    "association": ASSOCIATION,
    "foundation": FOUNDATION,
    "social_service": SOCIAL_SERVICE,
}
