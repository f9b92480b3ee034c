"""The OCDS 1.1 export through the public API and the CLI, validated offline against the schema
and codelists at every stage of a tender: nothing of the sealed bids before the opening, no
committee before the publicity; releases per event, a record with its compiled release,
pagination through `links.next`, and the refusals."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.core.clock import FrozenClock
from tests.bids import published_tender
from tests.conftest import World, run_ggzy
from tests.evaluations import Scene, drawn_committee, signed_report
from tests.ocds import parse, problems

PRICES = ["7990000.00", "8100000.00", "8236500.00"]


async def exported(client: AsyncTestClient[Litestar], **query: str) -> dict[str, Any]:
    answer = await client.get("/api/v1/ocds/releases", params=query)  # no sign-in: open data
    assert answer.status_code == 200, answer.text
    package: dict[str, Any] = parse(answer.content)
    assert problems(package) == []
    return package


async def committee_names(scene: Scene) -> list[str]:
    return [seat["name"] for seat in await scene.committee() if seat["status"] in ("drawn", "seated")]


async def test_a_gp_tender_states_its_regime_in_ocds_and_in_its_views(
    client: AsyncTestClient[Litestar], world: World
) -> None:
    tender = await published_tender(client, world, project_type="government_procurement")
    [release] = (await exported(client))["releases"]
    assert release["tender"]["procurementMethodDetails"] == "公开招标（政府采购）"
    assert release["tender"]["legalBasis"]["id"] == "政府采购法"
    shown = await client.get(f"/api/v1/tenders/{tender.id}", headers=tender.desk.officer_headers)
    assert shown.json()["regime"] == "government_procurement"
    page = await client.get(f"/public/tenders/{tender.id}")
    assert page.status_code == 200 and '<dd id="regime">政府采购</dd>' in page.text


async def test_every_stage_exports_valid_ocds_with_nothing_secret_before_its_time(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    scene = await drawn_committee(client, world, prices=PRICES)
    desk = scene.tender.desk
    names = await committee_names(scene)
    bidder_names = [b.org.name for b in scene.bidders]

    # Bids are in, the opening not held: the tender only; no bidder, no price, no committee.
    before = await exported(client)
    [tender_release] = before["releases"]
    assert tender_release["tag"] == ["tender"] and tender_release["tender"]["status"] == "active"
    assert tender_release["tender"]["value"] == {"amount": parse("12500000.00"), "currency": "CNY"}
    text = json.dumps(before, ensure_ascii=False, default=str)
    assert not any(name in text for name in bidder_names + names) and "bids" not in tender_release
    assert "tenderers" not in tender_release["tender"]
    # The regime is published: the procedure's words and its legal basis (the legalBasis extension).
    assert tender_release["tender"]["procurementMethodDetails"] == "公开招标（招标投标）"
    assert tender_release["tender"]["legalBasis"]["id"] == "招标投标法"
    assert any("ocds_legalBasis_extension" in url for url in before["extensions"])

    # Opened, evaluated, candidates checked: the opening's tenderers and bid statistics; still no committee.
    await signed_report(scene, clock)
    opened = await exported(client)
    assert [r["tag"] for r in opened["releases"]] == [["tender"], ["tenderUpdate"]]
    update = opened["releases"][1]
    assert update["tender"]["numberOfTenderers"] == 3
    statistics = {s["measure"]: s["value"] for s in update["bids"]["statistics"]}
    assert statistics["lowestValidBidValue"] == parse(PRICES[0]) and statistics["bids"] == 3
    assert {p["name"] for p in update["parties"] if "tenderer" in p["roles"]} == set(bidder_names)
    assert not any(name in json.dumps(opened, ensure_ascii=False, default=str) for name in names)

    # Publicity: the candidates, still no committee; then the award with the committee, and the contract.
    published = await client.post(f"{scene.url}/award/publicity", headers=desk.agency_headers)
    assert published.status_code == 200, published.text
    clock.set(datetime.fromisoformat(published.json()["publicity"]["ends_at"]) + timedelta(seconds=1))
    first_bid = published.json()["publicity"]["candidates"][0]["bid"]
    decided = await client.post(f"{scene.url}/award/decision", json={"bid": first_bid}, headers=desk.agency_headers)
    assert decided.status_code == 200, decided.text
    document = await client.post(
        f"{scene.url}/award/documents",
        params={"filename": "合同.pdf"},
        content=b"%PDF-1.4 contract",
        headers={**desk.agency_headers, "content-type": "application/pdf"},
    )
    today = clock.now().astimezone(ZoneInfo("Asia/Shanghai")).date()  # the signing day is a local date
    contract = await client.post(
        f"{scene.url}/award/contract",
        json={
            "document": document.json()["id"],
            "amount": PRICES[0],
            "signed_on": today.isoformat(),
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=364)).isoformat(),
        },
        headers=desk.agency_headers,
    )
    assert contract.status_code == 200, contract.text
    complete = await exported(client)
    assert [r["tag"][0] for r in complete["releases"]] == ["tender", "tenderUpdate", "award", "award", "contract"]
    publicity = complete["releases"][2]
    assert publicity["awards"][0]["status"] == "pending"
    assert not any(name in json.dumps(publicity, ensure_ascii=False, default=str) for name in names)  # not yet
    notice = complete["releases"][3]["awards"][0]
    assert notice["status"] == "active" and all(name in notice["description"] for name in names)
    [signed] = complete["releases"][4]["contracts"]
    assert signed["value"] == {"amount": parse(PRICES[0]), "currency": "CNY"}
    assert signed["documents"][0]["documentType"] == "contractSigned"
    assert complete["extensions"]  # the bid statistics extension is declared

    # The record: every release and the compiled one, as a valid record package.
    ocid = complete["releases"][0]["ocid"]
    assert ocid == f"{world.settings.ocds_prefix}-{scene.tender.id}"
    answer = await client.get(f"/api/v1/ocds/records/{ocid}")
    assert answer.status_code == 200, answer.text
    record_package = parse(answer.content)
    assert problems(record_package) == []
    [record] = record_package["records"]
    assert len(record["releases"]) == 5 and record["compiledRelease"]["tender"]["status"] == "complete"
    assert record["compiledRelease"]["contracts"][0]["awardID"] == signed["awardID"]

    # Pages of two, followed through links.next, give the same releases, each page valid.
    seen: list[str] = []
    page = await exported(client, limit="2")
    while True:
        seen += [r["id"] for r in page["releases"]]
        if "links" not in page:
            break
        follow = await client.get(page["links"]["next"].removeprefix(world.settings.public_url))
        assert follow.status_code == 200, follow.text
        page = parse(follow.content)
        assert problems(page) == []
    assert seen == [r["id"] for r in complete["releases"]]

    # A window: since the award's date; none after the last; refusals.
    award_date = complete["releases"][3]["date"]
    windowed = await exported(client, since=award_date)
    assert [r["tag"][0] for r in windowed["releases"]] == ["award", "contract"]
    assert (await client.get("/api/v1/ocds/releases", params={"since": "2099-01-01T00:00:00+08:00"})).status_code == 204
    naive = await client.get("/api/v1/ocds/releases", params={"since": "2026-12-01T00:00:00"})
    assert naive.status_code == 422 and naive.json()["invalid-params"][0]["name"] == "since"
    for unknown in (f"{world.settings.ocds_prefix}-not-a-uuid", "ocds-other0-" + str(scene.tender.id)):
        assert (await client.get(f"/api/v1/ocds/records/{unknown}")).status_code == 404

    # The CLI writes the same as files, valid too.
    out = Path(world.settings.data_dir) / "ocds"
    env = {"GGZY_DATABASE_URL": world.settings.database_url, "GGZY_DATA_DIR": str(world.settings.data_dir / "cli")}
    done = run_ggzy({**env, "GGZY_SECRET_KEY": world.settings.secret_key}, "export", "ocds", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "5 releases in 1 package(s), 1 records" in done.stdout
    for name in ("releases-0001.json", "records.json"):
        assert problems(parse((out / name).read_bytes())) == []
