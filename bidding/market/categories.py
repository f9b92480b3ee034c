"""Service categories of the intermediary supermarket, as data: code → names and the
qualification (资质) an intermediary needs to offer the service — none where the State Council
abolished it (实施条例 art. 32 and 青岛市优化营商环境条例 art. 8: no abolished qualification is an
entry condition): 环评资质 (环境影响评价法, 2018 amendment: the preparer registers on the
environment ministry's credit platform instead) and 工程造价咨询企业资质 (国发〔2021〕7号)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    code: str
    name_zh: str
    name_en: str
    qualification: str | None  # the certificate type an eligible intermediary must hold; None: none may be asked


CATEGORIES: dict[str, Category] = {
    c.code: c
    for c in (
        Category("EIA", "环境影响评价", "environmental impact assessment", None),
        Category("COST", "工程造价咨询", "construction cost consulting", None),
        Category("SURVEY", "测绘", "surveying and mapping", "测绘资质"),
        Category("DRAWING", "施工图审查", "construction drawing review", "施工图审查机构认定"),
        Category("SAFETY", "安全评价", "safety assessment", "安全评价机构资质"),
        Category("AGENCY", "招标代理", "tendering agency", "招标代理机构登记"),
    )
}
