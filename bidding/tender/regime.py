"""The regime a tender is procured under, chosen by its project type (pure): the Tendering Law
(招标投标法 and its 实施条例) for works and other projects, the Government Procurement Law (政府采购法,
its 实施条例 and the MOF orders: 87号令 on tendering, 94号令 on 质疑 and 投诉) for government
procurement. Each step whose rule differs asks `regime_of`; what is common (filing, sealing,
opening, the draw, the scoring engine) does not ask at all. The tender's regime is shown in its
views and published in its OCDS releases (`procurementMethodDetails` and `legalBasis`)."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Regime(enum.StrEnum):
    tendering = "tendering"  # 招标投标
    government_procurement = "government_procurement"  # 政府采购


def regime_of(project_type: str) -> Regime:
    """Government procurement for a GP project, the Tendering Law for every other project type."""
    return Regime.government_procurement if project_type == "government_procurement" else Regime.tendering


@dataclass(frozen=True, slots=True)
class LegalBasis:
    """The law a procedure follows, as an OCDS Classification (the legalBasis extension)."""

    id: str
    description: str
    uri: str
    scheme: str = "CN-LAW"  # the laws of the People's Republic of China, by their short title

    def as_ocds(self) -> dict[str, str]:
        return {"scheme": self.scheme, "id": self.id, "description": self.description, "uri": self.uri}


LEGAL_BASIS = {
    Regime.tendering: LegalBasis(
        "招标投标法",
        "《中华人民共和国招标投标法》及《中华人民共和国招标投标法实施条例》",
        "https://flk.npc.gov.cn/detail2.html?MmM5MDlmZGQ2NzhiZjE3OTAxNjc4YmY3NjMxZTA3Zjg",
    ),
    Regime.government_procurement: LegalBasis(
        "政府采购法",
        "《中华人民共和国政府采购法》及《中华人民共和国政府采购法实施条例》、财政部令第87号、第94号",
        "https://flk.npc.gov.cn/detail2.html?MmM5MDlmZGQ2NzhiZjE3OTAxNjc4YmY3ZGJhNjA4MDU",
    ),
}

# The regime's words after the procurement method, e.g. 公开招标（政府采购）.
REGIME_WORDS = {Regime.tendering: "招标投标", Regime.government_procurement: "政府采购"}
