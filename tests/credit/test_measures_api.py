"""Credit measures with a legal basis, through the HTTP API on PostgreSQL: a breach recorded on the
platform's own list is told to its subject, who states its case (陈述申辩) before the entry takes
effect; the entry then warns only, until a supervisor enters a competent authority's decision
with its document (实施条例 arts. 67–68), which bars; the platform's rule cannot be made to bar;
the subject applies for credit repair after the list's minimum publication period (国家发展改革委
令第36号) and a supervisor decides with reasons."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.core.actor import Role
from app.core.clock import FrozenClock
from app.identity.models import OrgKind
from tests.bidding.market.test_market import at
from tests.conftest import World, login
from tests.credit.helpers import officers


async def outcome_of(
    client: AsyncTestClient[Litestar], supervisor: dict[str, str], uscc: str, day: str
) -> dict[str, Any]:
    checked = await client.post(
        "/api/v1/credit/checks", json={"at": day, "subjects": [{"uscc": uscc, "role": "candidate"}]}, headers=supervisor
    )
    assert checked.status_code == 200, checked.text
    return checked.json()["results"][0]  # type: ignore[no-any-return]


async def test_a_platform_entry_is_stated_against_warns_and_bars_only_by_an_authoritys_decision(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    admin, supervisor = await officers(client, world)
    clock.set(at("2026-11-30T10:00"))  # a Monday
    org = await world.org(OrgKind.bidder)
    subject = await login(client, (await world.user(Role.bidder, org)).username)
    other = await login(client, (await world.user(Role.bidder, await world.org(OrgKind.bidder))).username)
    recorded = await client.post(
        "/api/v1/credit/breaches",
        json={"uscc": org.uscc, "kind": "refused_contract", "reference": "T-2026-001", "note": "中标后拒签合同"},
        headers=supervisor,
    )
    assert recorded.status_code == 201, recorded.text
    entry = recorded.json()
    assert (entry["statement_due"], entry["listed_on"]) == ("2026-12-07", "2026-12-08")  # 5 working days
    assert entry["legal_basis"].startswith("平台信用承诺（告知性记录）")
    told = (await client.get("/api/v1/notifications", headers=subject)).json()
    assert any(n["kind"] == "credit_breach" and "2026-12-07 24:00" in n["message"] for n in told)

    # The subject sees its own entry, nobody else's; it states its case before the entry takes effect.
    assert [e["id"] for e in (await client.get("/api/v1/credit/breaches", headers=subject)).json()] == [entry["id"]]
    assert (await client.get("/api/v1/credit/breaches", headers=other)).json() == []
    statement_url = f"/api/v1/credit/breaches/{entry['id']}/statement"
    assert (await client.post(statement_url, json={"text": "x"}, headers=other)).status_code == 404
    empty = await client.post(statement_url, json={"text": "  "}, headers=subject)
    assert empty.status_code == 422 and empty.json()["invalid-params"][0]["name"] == "text"
    stated = await client.post(statement_url, json={"text": "因不可抗力未能签约，附证明"}, headers=subject)
    assert stated.status_code == 201 and stated.json()["status"] == "received"
    shown = (await client.get("/api/v1/credit/breaches", headers=supervisor)).json()
    assert [s["text"] for s in next(e for e in shown if e["id"] == entry["id"])["submissions"]] == [
        "因不可抗力未能签约，附证明"
    ]
    assert (await outcome_of(client, supervisor, org.uscc, "2026-12-07"))["outcome"] == "clear"  # not in effect yet
    clock.set(at("2026-12-08T00:00"))
    late = await client.post(statement_url, json={"text": "补充说明"}, headers=subject)
    assert late.status_code == 409 and "2026-12-08" in late.json()["detail"]

    # In effect it warns only: the centre's record is no bar, and its rule cannot be made one.
    warned = await outcome_of(client, supervisor, org.uscc, "2026-12-08")
    assert warned["outcome"] == "warning"
    barring_rule = await client.put(
        "/api/v1/credit/memoranda/platform",
        json={"measures": ["bar_bidding"], "legal_basis": "平台规定"},
        headers=admin,
    )
    assert barring_rule.status_code == 422 and barring_rule.json()["invalid-params"][0]["name"] == "measures"

    # A supervisor enters the authority's decision with its document; every bad field at once first.
    document = "%PDF-1.4 江城市住建局行政处罚决定书".encode()
    uploaded = await client.post(
        "/api/v1/credit/documents",
        params={"filename": "江建罚〔2026〕12号.pdf"},
        content=document,
        headers={**supervisor, "content-type": "application/pdf"},
    )
    assert uploaded.status_code == 201 and uploaded.json()["sha256"] == hashlib.sha256(document).hexdigest()
    decision_url = f"/api/v1/credit/breaches/{entry['id']}/decision"
    decision = {
        "authority": "江城市住房和城乡建设局",
        "number": "江建罚〔2026〕12号",
        "decided_on": "2026-12-08",
        "measures": ["bar_bidding", "bar_winning"],
        "until": "2027-06-30",
        "legal_basis": "招标投标法实施条例第七十四条",
        "document_sha256": uploaded.json()["sha256"],
    }
    bad = await client.post(
        decision_url,
        json={
            **decision,
            "authority": " ",
            "decided_on": "2026-12-09",
            "until": "2026-12-01",
            "document_sha256": "0" * 64,
        },
        headers=supervisor,
    )
    assert bad.status_code == 422
    assert {p["name"] for p in bad.json()["invalid-params"]} == {"authority", "decided_on", "until", "document_sha256"}
    assert (await client.post(decision_url, json=decision, headers=subject)).status_code == 403
    entered = await client.post(decision_url, json=decision, headers=supervisor)
    assert entered.status_code == 200, entered.text
    barred = await outcome_of(client, supervisor, org.uscc, "2026-12-08")
    assert barred["outcome"] == "barred"
    assert barred["hits"][0]["legal_basis"] == "招标投标法实施条例第七十四条"
    assert barred["hits"][0]["entry"]["decision"]["number"] == "江建罚〔2026〕12号"
    assert (await outcome_of(client, supervisor, org.uscc, "2027-07-01"))["outcome"] == "warning"  # the bar ended


async def test_credit_repair_after_the_minimum_publication_is_decided_by_a_supervisor_with_reasons(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    _admin, supervisor = await officers(client, world)
    clock.set(at("2026-11-30T10:00"))
    org = await world.org(OrgKind.intermediary)
    subject = await login(client, (await world.user(Role.intermediary, org)).username)
    recorded = await client.post(
        "/api/v1/credit/breaches",
        json={"uscc": org.uscc, "kind": "abandoned_service", "reference": "SR-9", "note": "中选后放弃"},
        headers=supervisor,
    )
    entry = recorded.json()
    repair = {"entry": entry["id"], "text": "已赔偿委托人损失并完成整改"}
    clock.set(at("2027-03-07T10:00"))  # 89 days after it took effect on 2026-12-08
    early = await client.post("/api/v1/credit/repairs", json=repair, headers=subject)
    assert early.status_code == 409 and "from 2027-03-08" in early.json()["detail"]
    stranger = await login(client, (await world.user(Role.bidder, await world.org(OrgKind.bidder))).username)
    assert (await client.post("/api/v1/credit/repairs", json=repair, headers=stranger)).status_code == 404
    clock.set(at("2027-03-08T10:00"))
    applied = await client.post("/api/v1/credit/repairs", json=repair, headers=subject)
    assert applied.status_code == 201, applied.text
    assert (await client.post("/api/v1/credit/repairs", json=repair, headers=subject)).status_code == 409
    pending = (await client.get("/api/v1/credit/repairs", headers=supervisor)).json()
    assert [p["id"] for p in pending if p["entry"] == entry["id"]] == [applied.json()["id"]]
    decide = f"/api/v1/credit/repairs/{applied.json()['id']}/decision"
    silent = await client.post(decide, json={"grant": True, "reason": ""}, headers=supervisor)
    assert silent.status_code == 422
    granted = await client.post(decide, json={"grant": True, "reason": "整改到位，公示期满"}, headers=supervisor)
    assert granted.status_code == 200 and granted.json()["status"] == "granted"
    assert (await outcome_of(client, supervisor, org.uscc, "2027-03-08"))["outcome"] == "clear"
    assert (await outcome_of(client, supervisor, org.uscc, "2027-03-07"))["outcome"] == "warning"  # history kept
    again = await client.post(decide, json={"grant": False, "reason": "x"}, headers=supervisor)
    assert again.status_code == 409


async def test_an_entry_withdrawn_after_the_statement_never_takes_effect(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    _admin, supervisor = await officers(client, world)
    clock.set(at("2026-11-30T10:00"))
    org = await world.org(OrgKind.bidder)
    recorded = await client.post(
        "/api/v1/credit/breaches",
        json={"uscc": org.uscc, "kind": "false_material", "reference": "T-2026-002", "note": "业绩证明不实"},
        headers=supervisor,
    )
    entry = recorded.json()
    ended = await client.post(
        f"/api/v1/credit/breaches/{entry['id']}/end",
        json={"reason": "申辩成立：业绩证明经核实属实"},
        headers=supervisor,
    )
    assert ended.status_code == 200 and ended.json()["removed_on"] == entry["listed_on"]
    clock.set(at("2026-12-09T10:00") + timedelta(days=1))
    assert (await outcome_of(client, supervisor, org.uscc, "2026-12-10"))["outcome"] == "clear"
    score = (await client.get(f"/api/v1/credit/scores/{org.uscc}", headers=supervisor)).json()
    assert score["score"] == 100
