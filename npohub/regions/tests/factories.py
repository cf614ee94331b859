"""A small, realistic region tree for tests: Jinan, two districts, streets and communities."""

from __future__ import annotations

from npohub.regions.codes import level_of, pad, parent_code
from npohub.regions.models import Region, UrbanRural, UrbanRuralSource


def region(code: str, name: str, *, urban: bool | None = None) -> Region:
    code = pad(code)
    parent = (
        Region.objects.filter(code=parent_code(code), is_active=True).first()
        if parent_code(code)
        else None
    )
    obj, _ = Region.objects.get_or_create(
        code=code,
        is_active=True,
        defaults={
            "name": name,
            "level": level_of(code),
            "parent": parent,
            "urban_rural": UrbanRural.UNKNOWN
            if urban is None
            else (UrbanRural.URBAN if urban else UrbanRural.RURAL),
            "urban_rural_source": "" if urban is None else UrbanRuralSource.INFERRED,
        },
    )
    return obj


def jinan_tree() -> dict[str, Region]:
    """Shandong › Jinan › 历下区 (2 streets) and 章丘区 (1 town) with urban and rural communities."""
    r = {}
    r["shandong"] = region("37", "山东省")
    r["jinan"] = region("3701", "济南市")
    r["lixia"] = region("370102", "历下区")
    r["zhangqiu"] = region("370114", "章丘区")
    r["jiefangqiao"] = region("370102001", "解放路街道")
    r["qianfoshan"] = region("370102002", "千佛山街道")
    r["mingshui"] = region("370114001", "明水街道")
    r["c_jfq1"] = region("370102001002", "解放桥社区居民委员会", urban=True)
    r["c_jfq2"] = region("370102001003", "历山路社区居民委员会", urban=True)
    r["c_qfs1"] = region("370102002001", "千佛山社区居民委员会", urban=True)
    r["c_ms_village"] = region("370114001201", "东岭村村民委员会", urban=False)
    r["qingdao"] = region("3702", "青岛市")
    r["shinan"] = region("370202", "市南区")
    r["qd_street"] = region("370202001", "八大关街道")
    r["qd_comm"] = region("370202001001", "八大关社区居民委员会", urban=True)
    return r
