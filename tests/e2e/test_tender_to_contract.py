"""A tender from its filing to its contract, through the HTTP API only, the way a deployment runs:
two web workers and the scheduler on one PostgreSQL and one Redis. Read it to learn the platform:
one step per block, in the order of the law.

Time: every process reads the system clock moved by the seconds in a shared file
(`GGZY_CLOCK_SHIFT_FILE`, tests only), so the test jumps days ahead the way the calendar would and
the scheduler's sweeps (the opening, the draw, the award after the publicity) happen by themselves.
The bidders' and custodians' own machines (sealing a bid, opening a custody share) are this test
process, as `ggzy seal` and `ggzy custody` would be.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import httpx
import pytest

from app.core.settings import Settings
from bidding.sealing.keys import (
    CustodyPublicKey,
    OpeningPublicKey,
    bidder_public_key,
    decrypt_share,
    generate_bidder_key,
    generate_custody_key,
)
from tests.bids import sealed_file
from tests.conftest import GGZY, PASSWORD, SHANGHAI, random_uscc, run_ggzy, server_env, start_server
from tests.credit.helpers import entry_row, list_csv
from tests.evaluations import QUOTAS, TEMPLATE, csv_of, standard_pool
from tests.ocds import parse, problems

PUBLIC_URL = "https://ggzy.jiangcheng.example"
DOCUMENT = "施工组织设计与报价".encode() * 100
LOGIN = {
    "甲建设": "bidder.jia",
    "乙建设": "bidder.yi",
    "丙建设": "bidder.bing",
    "丁建设": "bidder.ding",
    "戊建设": "bidder.wu",
}
PRICES = {"甲建设": "7990000.00", "乙建设": "8100000.00", "丙建设": "8236500.00", "丁建设": "6000000.00"}


@dataclass
class Deployment:
    workers: list[str]
    shift_file: Path
    env: dict[str, str]

    def now(self) -> datetime:
        """What every process's clock says now."""
        return datetime.now(UTC) + timedelta(seconds=float(self.shift_file.read_text()))

    def jump_to(self, instant: datetime) -> None:
        """Move every process's clock so that it is now `instant`."""
        self.shift_file.write_text(str((instant - datetime.now(UTC)).total_seconds()))


@pytest.fixture
def deployment(settings: Settings, tmp_path: Path) -> Iterator[Deployment]:
    shift_file = tmp_path / "clock-shift"
    shift_file.write_text("0")
    env = {
        **server_env(settings),
        "GGZY_TESTING": "1",
        "GGZY_CLOCK_SHIFT_FILE": str(shift_file),
        "GGZY_PUBLIC_URL": PUBLIC_URL,
    }
    servers = [start_server(env) for _ in range(2)]
    scheduler = subprocess.Popen([GGZY, "scheduler"], env={**os.environ, **env})
    yield Deployment([base for base, _ in servers], shift_file, env)
    for process in [scheduler, *(p for _, p in servers)]:
        process.terminate()
        process.wait(timeout=10)


@dataclass
class Person:
    """Someone signed in, sending each request to the next web worker in turn."""

    http: httpx.AsyncClient
    workers: list[str]
    username: str
    password: str = PASSWORD
    headers: dict[str, str] = field(default_factory=dict)
    turn: int = 0

    async def sign_in(self) -> Person:
        answer = await self.http.post(
            f"{self.workers[0]}/api/v1/auth/login", json={"username": self.username, "password": self.password}
        )
        assert answer.status_code == 200, answer.text
        self.headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        return self

    async def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        self.turn += 1
        base = self.workers[self.turn % len(self.workers)]
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return await self.http.request(method, f"{base}{path}", headers=headers, **kwargs)

    async def read(self, path: str) -> Any:
        """The answer's JSON, or None while it is not there (404)."""
        answer = await self.call("GET", path)
        return answer.json() if answer.status_code == 200 else None

    async def ok(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        answer = await self.call(method, path, **kwargs)
        assert answer.status_code == status, f"{method} {path}: {answer.status_code} {answer.text}"
        return answer.json() if answer.content else None


async def eventually(read: Any, done: Any, what: str, seconds: float = 30) -> Any:
    """Poll `read()` until `done(value)`: the scheduler works on its own time."""
    value = None
    for _ in range(int(seconds / 0.2)):
        value = await read()
        if done(value):
            return value
        await asyncio.sleep(0.2)
    raise AssertionError(f"{what} never happened: {value}")


async def test_a_tender_from_filing_to_contract_through_the_api(deployment: Deployment) -> None:
    workers = deployment.workers
    async with httpx.AsyncClient(timeout=60) as http:

        async def person(username: str, password: str = PASSWORD) -> Person:
            return await Person(http, workers, username, password).sign_in()

        # --- The people: an operator makes the trading centre's admin; the admin registers the rest.
        centre = random_uscc()
        assert (
            run_ggzy(
                deployment.env,
                "org",
                "create",
                "--uscc",
                centre,
                "--name",
                "江城市公共资源交易中心",
                "--kind",
                "trading_centre",
            ).returncode
            == 0
        )
        assert (
            run_ggzy(
                deployment.env,
                "user",
                "create",
                "--username",
                "centre.admin",
                "--password",
                PASSWORD,
                "--role",
                "admin",
                "--org",
                centre,
            ).returncode
            == 0
        )
        admin = await person("centre.admin")
        orgs = {"agency": random_uscc(), "tenderee": random_uscc()} | {
            name: random_uscc() for name in [*PRICES, "戊建设"]
        }
        kinds = {"agency": "agency", "tenderee": "tenderee"}
        for name, uscc in orgs.items():
            org_name = {"agency": "江城建设工程招标代理有限公司", "tenderee": "江城市教育局"}.get(
                name, f"{name}有限公司"
            )
            await admin.ok(
                "POST", "/api/v1/orgs", 201, json={"uscc": uscc, "name": org_name, "kind": kinds.get(name, "bidder")}
            )
        users = {"agent": ("agency", orgs["agency"]), "officer": ("supervisor", None)}
        users |= {LOGIN[name]: ("bidder", orgs[name]) for name in [*PRICES, "戊建设"]}
        for username, (role, org) in users.items():
            body = {"username": username, "password": PASSWORD, "roles": [role], "org_uscc": org}
            await admin.ok("POST", "/api/v1/users", 201, json={k: v for k, v in body.items() if v is not None})
        agent, officer = await person("agent"), await person("officer")
        custody_keys = {}
        for custodian in (agent, officer, admin):  # the three custodians of the opening key
            custody_keys[custodian.username] = generate_custody_key()
            public = CustodyPublicKey(custody_keys[custodian.username].public_key().public_bytes_raw()).text()
            await custodian.ok("POST", "/api/v1/keys/custody", 201, json={"public_key": public})

        # --- 招标备案: the filing comes back with every deficiency at once, is corrected, accepted.
        today = datetime.now(SHANGHAI).date()
        deadline = datetime.combine(today + timedelta(days=25), datetime.min.time(), SHANGHAI) + timedelta(
            hours=9, minutes=30
        )
        draft = {
            "project_name": "江城市第三中学教学楼新建工程",
            "project_type": "construction",
            "project_code": "JC-2026-0918",
            "tenderee_uscc": orgs["tenderee"],
            "procurement_method": "open",
            "budget": "12500000.00",
            "announcement_date": today.isoformat(),
            "bid_deadline": deadline.isoformat(),
            "opening_time": deadline.isoformat(),
            "evaluation_method": "comprehensive_scoring",
            "committee_size": 4,  # wrong: an odd number of at least 5
            "bid_validity_days": 90,
            "state_funded": True,
        }
        filing = (await agent.ok("POST", "/api/v1/filings", 201, json=draft))["id"]
        upload = {"headers": {"content-type": "application/pdf"}}
        for kind in ("announcement", "tender_document", "agency_contract"):  # two documents missing
            await agent.ok(
                "POST",
                f"/api/v1/filings/{filing}/documents",
                201,
                params={"kind": kind, "filename": f"{kind}.pdf"},
                content=f"{kind}".encode(),
                **upload,
            )
        returned = await agent.call("POST", f"/api/v1/filings/{filing}/submit")
        assert returned.status_code == 422
        assert sorted(d["target"] for d in returned.json()["deficiencies"]) == [
            "committee_size",
            "document:funding_proof",
            "document:project_approval",
        ]
        await agent.ok("PUT", f"/api/v1/filings/{filing}", json=draft | {"committee_size": 5})
        for kind in ("funding_proof", "project_approval"):
            await agent.ok(
                "POST",
                f"/api/v1/filings/{filing}/documents",
                201,
                params={"kind": kind, "filename": f"{kind}.pdf"},
                content=f"{kind}".encode(),
                **upload,
            )
        await agent.ok("POST", f"/api/v1/filings/{filing}/submit")
        tender_id = (await officer.ok("POST", f"/api/v1/filings/{filing}/accept"))["tender_id"]
        tender_url = f"/api/v1/tenders/{tender_id}"
        opening_key = OpeningPublicKey.parse((await agent.ok("GET", f"{tender_url}/opening-key"))["public_key"])

        # --- Bidders obtain the tender documents (and so become their holders).
        bidders = {name: await person(LOGIN[name]) for name in [*PRICES, "戊建设"]}
        documents = await bidders["甲建设"].ok("GET", f"{tender_url}/documents")
        for name in PRICES:
            assert (await bidders[name].call("GET", f"{tender_url}/documents/{documents[0]['id']}")).status_code == 200

        # --- 招标文件异议: a holder objects to the documents 12 days before the deadline (Regs art. 22);
        # the tender is held (for all to see) until the tenderee's answer.
        deployment.jump_to(deadline - timedelta(days=12))
        document_objection = await bidders["乙建设"].ok(
            "POST", f"{tender_url}/documents/objections", 201, json={"grounds": "工期要求前后矛盾，无法响应"}
        )
        held = await bidders["丙建设"].ok("GET", f"{tender_url}/award")
        assert [h["kind"] for h in held["holds"]] == ["document_objection"]

        # --- 澄清: a clarification 10 days before the deadline moves it so that 15 days remain; the
        # answer to the objection cites it, and the hold is released.
        deployment.jump_to(deadline - timedelta(days=10))
        clarified = await agent.ok(
            "POST",
            f"{tender_url}/amendments",
            201,
            json={"kind": "clarification", "summary": "第三章工期要求澄清为365日历天"},
        )
        new_deadline = datetime.fromisoformat(clarified["deadline_after"])
        assert clarified["deadline_moved"] and new_deadline - (deadline - timedelta(days=10)) >= timedelta(days=15)
        notices = await bidders["乙建设"].ok("GET", "/api/v1/notifications")
        assert "amendment" in [n["kind"] for n in notices]
        answered = await agent.ok(
            "POST",
            f"{tender_url}/award/objections/{document_objection['id']}/answer",
            json={"outcome": "amended", "answer": "异议成立，已发布第1号澄清", "amendment": clarified["number"]},
        )
        assert answered["amendment"] == clarified["number"]
        assert (await bidders["丙建设"].ok("GET", f"{tender_url}/award"))["holds"] == []

        # --- 投标: four bidders seal on their own machines and submit; one bid's declaration is careless.
        signing = {}
        for name in [*PRICES, "戊建设"]:
            signing[name] = generate_bidder_key()
            await bidders[name].ok(
                "POST", "/api/v1/keys/bid-signing", 201, json={"public_key": bidder_public_key(signing[name]).text()}
            )
        receipts = {}
        for name, price in PRICES.items():
            if name == "丁建设":  # lists a wrong digest for its document: the bidder's own fault
                with mock.patch("bidding.sealing.envelope.digest_file", return_value=(len(DOCUMENT), "0" * 64)):
                    data = sealed_file(tender_id, opening_key, orgs[name], signing[name], price, DOCUMENT)
            else:
                data = sealed_file(tender_id, opening_key, orgs[name], signing[name], price, DOCUMENT)
            receipts[name] = await bidders[name].ok(
                "POST", f"{tender_url}/bids", 201, content=data, headers={"content-type": "application/octet-stream"}
            )

        # --- 专家抽取: the pool is imported, the template and the draw set; the scheduler publishes the
        # commitment ten minutes before the draw, the supervisor enters a value, the scheduler draws.
        evaluation_on = new_deadline.astimezone(SHANGHAI).date()
        rows = standard_pool(orgs["tenderee"], orgs["agency"], orgs["甲建设"], evaluation_on)
        await admin.ok("POST", "/api/v1/experts/import", content=csv_of(rows), headers={"content-type": "text/csv"})
        await agent.ok("PUT", f"{tender_url}/evaluation/template", json=TEMPLATE)
        draw_at = deployment.now() + timedelta(minutes=10, seconds=30)
        await agent.ok(
            "PUT",
            f"{tender_url}/draw",
            json={"draw_at": draw_at.isoformat(), "evaluation_on": evaluation_on.isoformat(), "quotas": QUOTAS},
        )
        deployment.jump_to(draw_at - timedelta(minutes=10) + timedelta(seconds=1))
        await eventually(
            lambda: officer.read(f"{tender_url}/draw"),
            lambda view: view and view.get("commitment") is not None,
            "the draw's commitment",
        )
        await officer.ok("POST", f"{tender_url}/draw/entry", json={"entry": "监督随机值 161803"})
        deployment.jump_to(draw_at + timedelta(seconds=1))
        seats = await eventually(
            lambda: officer.read(f"{tender_url}/committee"),
            lambda view: view and len(view.get("seats", [])) == 8,
            "the draw",
        )
        all_users = (await admin.ok("GET", "/api/v1/users", params={"limit": 500}))["items"]
        experts: dict[str, Person] = {}

        async def expert(seat_name: str) -> Person:
            if seat_name not in experts:
                username = next(r["username"] for r in rows if r["name"] == seat_name)
                user_id = next(u["id"] for u in all_users if u["username"] == username)
                await admin.ok(
                    "POST", f"/api/v1/users/{user_id}/password", json={"new_password": "专家密码-correct-horse"}
                )
                experts[seat_name] = await person(username, "专家密码-correct-horse")
            return experts[seat_name]

        # One drawn expert declines; the first reserve of the specialty joins.
        first_civil = next(
            s for s in seats["seats"] if s["status"] == "drawn" and s["specialty"] == "construction.civil"
        )
        decliner = await expert(first_civil["name"])
        [assignment] = await decliner.ok("GET", "/api/v1/experts/me/assignments")
        await decliner.ok("POST", f"/api/v1/expert-assignments/{assignment['seat']}/decline", json={})
        committee = await officer.ok("GET", f"{tender_url}/committee")
        members = [s["name"] for s in committee["seats"] if s["status"] == "drawn"]
        assert len(members) == 5 and first_civil["name"] not in members

        # --- Too late: a fifth bid after the (moved) deadline is refused.
        deployment.jump_to(new_deadline + timedelta(seconds=1))
        late = await bidders["戊建设"].call(
            "POST",
            f"{tender_url}/bids",
            content=sealed_file(tender_id, opening_key, orgs["戊建设"], signing["戊建设"], "7000000.00", DOCUMENT),
            headers={"content-type": "application/octet-stream"},
        )
        assert late.status_code == 409 and "deadline" in late.text

        # --- 开标: the scheduler opens the session; 2 of the 3 custodians hand in their shares.
        await eventually(
            lambda: officer.read(f"{tender_url}/opening"),
            lambda s: s and s.get("status") == "awaiting_shares",
            "the opening",
        )
        for custodian in (agent, officer):
            share = await custodian.ok("GET", f"{tender_url}/custody/share")
            words = decrypt_share(
                share["encrypted_share"], custody_keys[custodian.username], tender_id, share["share_index"]
            )
            await custodian.ok("POST", f"{tender_url}/opening/shares", json={"share": words})
        opening = await eventually(
            lambda: officer.read(f"{tender_url}/opening"), lambda s: s and s.get("status") == "read_out", "the read-out"
        )
        outcomes = {r["uscc"]: r["outcome"] for r in opening["results"]}
        assert [outcomes[orgs[name]] for name in PRICES] == ["opened", "opened", "opened", "revoked"]
        assert opening["record"]["custodians_present"] == ["agency", "supervisor"]

        # --- 开标异议: a bidder objects at the opening; the tenderee answers on the spot (Regs art. 44).
        objection = {"response": "objected", "comment": "唱标时未宣读我方工期"}
        await bidders["丙建设"].ok("POST", f"{tender_url}/opening/record/responses", 201, json=objection)
        answer = {"answer": "工期已载入开标记录，异议不成立"}
        await agent.ok("POST", f"{tender_url}/opening/record/responses/{orgs['丙建设']}/answer", json=answer)
        record = await bidders["丙建设"].ok("GET", f"{tender_url}/opening")
        assert [r["answer"] for r in record["responses"] if r["uscc"] == orgs["丙建设"]] == [answer["answer"]]

        # --- 联合惩戒: before the report is signed, the lowest bidder turns up on a credit list.
        listed = entry_row("甲建设有限公司", uscc=orgs["甲建设"], document="(2026)鄂01执88号")
        await admin.ok(
            "POST",
            "/api/v1/credit/lists/dishonest_debtor/import",
            content=list_csv([listed]),
            headers={"content-type": "text/csv"},
        )

        # --- 评标: the committee declares, scores (one abnormal total, explained) and signs.
        await agent.ok("POST", f"{tender_url}/evaluation/start")
        heads = [await expert(name) for name in members]
        for member in heads:
            assert (await member.ok("POST", f"{tender_url}/evaluation/declaration", json={"conflict": False}))[
                "status"
            ] == "seated"
        bids = (await officer.ok("GET", f"{tender_url}/evaluation"))["bids"]
        assert len(bids) == 3  # the revoked bid is not evaluated
        for index, member in enumerate(heads):
            sheet = {
                b["bid"]: {"t1": "40" if index == 0 and b["uscc"] == orgs["丙建设"] else "28", "b1": "8", "q": True}
                for b in bids
            }
            await member.ok("PUT", f"{tender_url}/evaluation/scores", json={"scores": sheet, "submit": True})
        [anomaly] = (await officer.ok("GET", f"{tender_url}/evaluation"))["result"]["anomalies"]
        await heads[0].ok(
            "POST",
            f"{tender_url}/evaluation/explanations",
            json={"bid": anomaly["bid"], "explanation": "该投标人的装配式方案明显优于其他投标人"},
        )
        for member in heads:
            signed = await member.ok("POST", f"{tender_url}/evaluation/signatures", json={"decision": "sign"})

        # --- 中标候选人: the credit check flags the listed first candidate; the original committee
        # re-reviews and disqualifies it (Regs art. 56); nobody moves up.
        assert signed["tender_status"] == "evaluated"
        [run] = await officer.ok("GET", f"{tender_url}/credit-checks")
        [flagged] = [r for r in run["ranking"] if r["status"] == "flagged"]
        assert flagged["uscc"] == orgs["甲建设"]
        review_url = f"{tender_url}/evaluation/candidate-review"
        await heads[1].ok(
            "POST",
            f"{review_url}/decisions",
            json={"bid": flagged["bid"], "decision": "disqualify", "reason": "投标人为失信被执行人"},
        )
        for member in heads:
            review = await member.ok("POST", f"{review_url}/signatures", json={"decision": "sign"})
        assert review["status"] == "signed"
        [run] = await officer.ok("GET", f"{tender_url}/credit-checks")
        disqualified = [r["uscc"] for r in run["ranking"] if r["status"] == "disqualified"]
        assert disqualified == [orgs["甲建设"]]
        assert (await officer.ok("GET", tender_url))["status"] == "candidates"

        # --- 公示: the candidates published, the committee still secret (Law art. 37 ¶5); an objection is answered.
        publicity = (await agent.ok("POST", f"{tender_url}/award/publicity"))["publicity"]
        assert [c["uscc"] for c in publicity["candidates"]] == [orgs["乙建设"], orgs["丙建设"]]
        assert publicity["committee"] is None
        objection = await bidders["丙建设"].ok(
            "POST", f"{tender_url}/award/objections", 201, json={"grounds": "第一中标候选人项目经理有在建工程"}
        )
        await agent.ok(
            "POST",
            f"{tender_url}/award/objections/{objection['id']}/answer",
            json={"outcome": "dismissed", "answer": "经核查该项目经理无在建工程"},
        )

        # --- 投诉: the objector complains to the supervisors, who accept and decide; the decision is
        # published (Regs arts. 60–62, 78). The award waits for it.
        complaint = await bidders["丙建设"].ok(
            "POST",
            f"{tender_url}/award/objections/{objection['id']}/complaint",
            201,
            json={"grounds": "招标人答复未附核查依据"},
        )
        await officer.ok("POST", f"{tender_url}/award/objections/{complaint['id']}/acceptance", json={"accept": True})
        await officer.ok(
            "POST",
            f"{tender_url}/award/objections/{complaint['id']}/answer",
            json={"outcome": "dismissed", "answer": "经调取社保及在建项目记录，投诉缺乏事实根据，驳回"},
        )
        published_decisions = (await http.get(f"{workers[0]}/api/v1/complaint-decisions")).json()  # no sign-in
        assert [d["decision"] for d in published_decisions if d["tender"] == tender_id] == [
            "经调取社保及在建项目记录，投诉缺乏事实根据，驳回"
        ]

        # --- 中标: after the publicity the scheduler reminds the agency; the tenderee decides (Law art. 40).
        deployment.jump_to(datetime.fromisoformat(publicity["ends_at"]) + timedelta(seconds=1))
        await eventually(
            lambda: agent.ok("GET", "/api/v1/notifications"),
            lambda found: "award_decision_due" in [n["kind"] for n in found],
            "the reminder to decide",
            seconds=75,  # the scheduler's step runs every 30 s
        )
        first_candidate = publicity["candidates"][0]["bid"]
        await agent.ok("POST", f"{tender_url}/award/decision", json={"bid": first_candidate})
        awarded = await agent.ok("GET", f"{tender_url}/award")
        assert awarded["status"] == "awarded"
        [award] = awarded["awards"]
        assert award["bidder_uscc"] == orgs["乙建设"]
        assert sorted(awarded["publicity"]["committee"]) == sorted(members)  # published with the result
        assert "award_notice" in [n["kind"] for n in await bidders["乙建设"].ok("GET", "/api/v1/notifications")]

        # --- 合同: the agency records the signed contract; the bid bonds are due back in 5 days.
        document = await agent.ok(
            "POST",
            f"{tender_url}/award/documents",
            201,
            params={"filename": "施工合同.pdf"},
            content=b"%PDF-1.4 contract",
            **upload,
        )
        signed_on = datetime.fromisoformat(award["awarded_at"]).astimezone(SHANGHAI).date() + timedelta(days=1)
        deployment.jump_to(datetime.combine(signed_on, datetime.min.time(), SHANGHAI) + timedelta(hours=10))
        contracted = await agent.ok(
            "POST",
            f"{tender_url}/award/contract",
            json={
                "document": document["id"],
                "amount": PRICES["乙建设"],
                "signed_on": signed_on.isoformat(),
                "starts_on": signed_on.isoformat(),
                "ends_on": (signed_on + timedelta(days=364)).isoformat(),
            },
        )
        assert contracted["status"] == "contracted"

        # --- Open Contracting: every release and the record validate against OCDS 1.1, nothing secret leaked early.
        releases: list[dict[str, Any]] = []
        page_url: str | None = "/api/v1/ocds/releases?limit=3"
        while page_url:
            answer = await http.get(f"{workers[0]}{page_url}")  # no sign-in: open data
            assert answer.status_code == 200, answer.text
            package = parse(answer.content)
            assert problems(package) == []
            assert package["auditLogHead"]["checkpoint"].startswith("ggzy.jiangcheng.example/audit\n")  # the log's head
            releases += package["releases"]
            page_url = package.get("links", {}).get("next", "").removeprefix(PUBLIC_URL) or None
        tags = [r["tag"][0] for r in releases]
        assert tags == ["tender", "tenderAmendment", "tenderUpdate", "award", "award", "contract"]
        assert not any(m in str(r) for r in releases[:4] for m in members)  # no committee before the award
        assert all(m in str(releases[4]) for m in members)  # the award notice names it
        record = await http.get(f"{workers[1]}/api/v1/ocds/records/{releases[0]['ocid']}")
        assert record.status_code == 200 and problems(parse(record.content)) == []
        assert parse(record.content)["records"][0]["compiledRelease"]["tender"]["status"] == "complete"
