"""Credit lists through the API and the CLI, on PostgreSQL: all-or-nothing imports naming line
and field, idempotent re-imports and versions with their diffs, freshness and stale lists, the
fixed check interface, resident IDs never stored, memoranda edits versioned and applied."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select, text

from app.core.actor import Role
from app.core.clock import FrozenClock
from app.core.models import AuditEvent
from credit import lists as credit_lists
from credit.models import CreditEntry, CreditImportRow
from tests.conftest import SHANGHAI, World, login, random_uscc, run_ggzy
from tests.credit.helpers import as_json, check, entry_row, import_list, list_csv, officers

ID = "11010519491231002X"


async def test_one_bad_row_in_ten_imports_nothing_and_names_its_line_and_field(
    client: AsyncTestClient[Litestar], world: World
) -> None:
    admin, supervisor = await officers(client, world)
    rows = [entry_row(f"失信企业{i}", uscc=random_uscc()) for i in range(10)]
    rows[6]["uscc"] = rows[6]["uscc"][:17] + ("0" if rows[6]["uscc"][17] != "0" else "1")  # a wrong check character
    rows[8]["listed_on"] = "2026-02-30"
    refused = await import_list(client, admin, "dishonest_debtor", rows)
    assert refused.status_code == 422
    problems = refused.json()["rows"]
    assert [(p["line"], p["field"]) for p in problems] == [(8, "uscc"), (10, "listed_on")]  # the header is line 1
    assert refused.json()["detail"] == "2 problem(s) in the file; nothing was imported"
    async with world.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(CreditEntry)) == 0
        assert await session.scalar(select(func.count()).select_from(CreditImportRow)) == 0
    lists = (await client.get("/api/v1/credit/lists", headers=supervisor)).json()
    debtor = next(x for x in lists if x["list_type"] == "dishonest_debtor")
    assert debtor["version"] == 0 and debtor["entries"] == 0 and debtor["stale"] is True

    duplicate = [
        entry_row("甲公司", uscc=rows[0]["uscc"], document="A"),
        entry_row("甲公司", uscc=rows[0]["uscc"], document="A"),
    ]
    answer = await import_list(client, admin, "dishonest_debtor", duplicate)
    assert answer.status_code == 422 and answer.json()["rows"] == [
        {"line": 3, "field": "document", "reason": "the same subject and document as line 2"}
    ]
    bidder = await login(client, (await world.user(Role.bidder, await world.org())).username)
    assert (await import_list(client, bidder, "dishonest_debtor", rows)).status_code == 403
    platform = await import_list(client, admin, "platform", rows[:1])
    assert platform.status_code == 409  # the platform's own list is written by recorded breaches


async def test_a_file_of_many_batches_is_written_as_it_is_checked_and_still_all_or_nothing(
    client: AsyncTestClient[Litestar], world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(credit_lists, "STAGE_BATCH", 4)  # six batches, each written while the next is checked
    monkeypatch.setattr(credit_lists, "YIELD_EVERY", 1)
    admin, supervisor = await officers(client, world)
    rows = [entry_row(f"失信企业{i}", uscc=random_uscc()) for i in range(23)]
    refused = await import_list(client, admin, "dishonest_debtor", [*rows, rows[2]])  # line 25 repeats line 4
    assert refused.status_code == 422
    assert refused.json()["rows"] == [
        {"line": 25, "field": "document", "reason": "the same subject and document as line 4"}
    ]
    async with world.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(CreditEntry)) == 0
        assert await session.scalar(select(func.count()).select_from(CreditImportRow)) == 0
    imported = await import_list(client, admin, "dishonest_debtor", rows)
    assert imported.status_code == 200, imported.text
    assert (imported.json()["entries"], imported.json()["added"]) == (23, 23)
    outcomes = await check(client, supervisor, "2026-06-01", {"uscc": rows[0]["uscc"]}, {"uscc": rows[22]["uscc"]})
    assert [o["outcome"] for o in outcomes] == ["barred", "barred"]


async def test_a_re_import_is_an_empty_diff_and_each_version_keeps_its_diff(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    admin, supervisor = await officers(client, world)
    a, b, c, d = (random_uscc() for _ in range(4))
    first = [entry_row("甲", uscc=a), entry_row("乙", uscc=b), entry_row("丙", uscc=c)]
    v1 = await import_list(client, admin, "dishonest_debtor", first, source="最高人民法院 2026-12-01")
    assert v1.status_code == 200, v1.text
    assert {k: v1.json()[k] for k in ("version", "entries", "added", "removed", "changed")} == {
        "version": 1,
        "entries": 3,
        "added": 3,
        "removed": 0,
        "changed": 0,
    }
    again = await client.post(
        "/api/v1/credit/lists/dishonest_debtor/import",
        content=as_json(first),
        params={"format": "json"},
        headers={**admin, "content-type": "application/json"},
    )
    assert {k: again.json()[k] for k in ("version", "added", "removed", "changed")} == {
        "version": 2,
        "added": 0,
        "removed": 0,
        "changed": 0,
    }
    second = [entry_row("甲", uscc=a), entry_row("乙", uscc=b, reason="已变更：拒不申报财产"), entry_row("丁", uscc=d)]
    v3 = (await import_list(client, admin, "dishonest_debtor", second)).json()
    assert (v3["added"], v3["removed"], v3["changed"], v3["entries"]) == (1, 1, 1, 3)
    diff = (await client.get("/api/v1/credit/lists/dishonest_debtor/versions/3", headers=supervisor)).json()
    assert [e["uscc"] for e in diff["added"]] == [d] and [e["uscc"] for e in diff["removed"]] == [c]
    [changed] = diff["changed"]
    assert changed["before"]["reason"] == "拒不履行生效判决" and changed["after"]["reason"] == "已变更：拒不申报财产"
    versions = (await client.get("/api/v1/credit/lists/dishonest_debtor/versions", headers=supervisor)).json()
    assert [(v["version"], v["added"], v["removed"], v["changed"]) for v in versions] == [
        (3, 1, 1, 1),
        (2, 0, 0, 0),
        (1, 3, 0, 0),
    ]
    assert versions[2]["source"] == "最高人民法院 2026-12-01"
    at = clock.now().date().isoformat()
    outcomes = await check(client, supervisor, at, {"uscc": c}, {"uscc": d}, {"uscc": b})
    assert [o["outcome"] for o in outcomes] == ["clear", "barred", "barred"]  # 丙 left the list with version 3
    [hit] = outcomes[2]["hits"]
    assert (
        hit["entry"]["reason"] == "已变更：拒不申报财产" and hit["legal_basis"] == "法〔2016〕285号；财库〔2016〕125号"
    )
    assert hit["rule"] == {
        "version": 2,
        "measures": ["bar_agency", "bar_bidding", "bar_expert", "bar_winning"],
    }  # 0013 corrected its basis

    # Freshness: a list older than its maximum age makes every check say so.
    fresh = {x["list_type"]: x for x in (await client.get("/api/v1/credit/lists", headers=supervisor)).json()}
    assert fresh["dishonest_debtor"]["stale"] is False and fresh["dishonest_debtor"]["entries"] == 3
    assert fresh["wage_arrears"]["stale"] is True and fresh["wage_arrears"]["last_import"] is None
    assert fresh["platform"]["stale"] is False
    clock.advance(timedelta(days=8))
    later = await check(client, supervisor, at, {"uscc": d})
    assert "dishonest_debtor" in later[0]["stale_lists"]
    longer = await client.put("/api/v1/credit/lists/dishonest_debtor", json={"max_age_days": 30}, headers=admin)
    assert next(x for x in longer.json() if x["list_type"] == "dishonest_debtor")["stale"] is False


async def test_the_check_interface_on_the_boundary_days_with_ids_never_kept(
    client: AsyncTestClient[Litestar], world: World
) -> None:
    admin, supervisor = await officers(client, world)
    listed = random_uscc()
    rows = [
        entry_row("到期公司", uscc=listed, listed_on="2026-01-01", expires_on="2026-07-01"),
        entry_row("张三", subject_kind="person", person_id=ID, document="P1"),
        entry_row("李四", subject_kind="person", person_id="1101**********002X", document="P2"),
    ]
    assert (await import_list(client, admin, "major_tax_violation", rows)).status_code == 200
    on = {
        day: (await check(client, supervisor, day, {"uscc": listed}))[0]["outcome"]
        for day in ("2025-12-31", "2026-01-01", "2026-06-30", "2026-07-01")
    }
    assert on == {"2025-12-31": "clear", "2026-01-01": "barred", "2026-06-30": "barred", "2026-07-01": "clear"}
    results = await check(
        client,
        supervisor,
        "2026-12-01",
        {"person_id": ID, "role": "expert"},
        {"name": "李四", "kind": "person"},
        {"name": "无关公司"},
    )
    assert [r["outcome"] for r in results] == ["barred", "review", "clear"]
    assert results[0]["hits"][0]["entry"]["masked_id"] is None and results[1]["hits"][0]["match"] == "name"

    bad = await client.post(
        "/api/v1/credit/checks",
        json={
            "at": "2026-12-01",
            "subjects": [
                {"uscc": listed[:17] + ("1" if listed.endswith("0") else "0")},
                {"person_id": ID[:17] + "1"},
                {},
            ],
        },
        headers=supervisor,
    )
    assert bad.status_code == 422
    assert {p["name"] for p in bad.json()["invalid-params"]} == {
        "subjects[0].uscc",
        "subjects[1].person_id",
        "subjects[2]",
    }

    # The resident ID is nowhere: not in the entries, the checks, the audit trail.
    async with world.sessions() as session:
        for table in ("credit_entries", "credit_checks", "credit_import_rows", "audit_events", "credit_reviews"):
            dump = " ".join(str(r) for r in (await session.execute(text(f"SELECT * FROM {table}"))).all())
            assert ID not in dump and ID.lower() not in dump, table
        assert await session.scalar(select(func.count()).where(AuditEvent.action == "credit.list_import")) == 1


async def test_a_memorandum_edit_is_versioned_audited_and_applied(
    client: AsyncTestClient[Litestar], world: World
) -> None:
    admin, supervisor = await officers(client, world)
    listed = random_uscc()
    await import_list(client, admin, "serious_illegal_enterprise", [entry_row("警示公司", uscc=listed)])
    assert (await check(client, supervisor, "2026-12-01", {"uscc": listed}))[0]["outcome"] == "barred"
    bad = await client.put(
        "/api/v1/credit/memoranda/serious_illegal_enterprise",
        json={"measures": ["warning", "bar_bidding"], "legal_basis": " "},
        headers=admin,
    )
    assert bad.status_code == 422 and {p["name"] for p in bad.json()["invalid-params"]} == {"measures", "legal_basis"}
    edited = await client.put(
        "/api/v1/credit/memoranda/serious_illegal_enterprise",
        json={"measures": ["warning"], "legal_basis": "发改法规〔2018〕457号（仅警示）", "duration_days": 365},
        headers=admin,
    )
    assert edited.status_code == 200 and edited.json()["version"] == 2
    [result] = await check(client, supervisor, "2026-12-01", {"uscc": listed})
    assert result["outcome"] == "warning"
    assert result["hits"][0]["rule"] == {"version": 2, "measures": ["warning"]}
    assert result["hits"][0]["legal_basis"] == "发改法规〔2018〕457号（仅警示）"
    history = (await client.get("/api/v1/credit/memoranda", params={"history": "true"}, headers=supervisor)).json()
    assert [r["version"] for r in history if r["list_type"] == "serious_illegal_enterprise"] == [2, 1]
    assert (
        await client.put(
            "/api/v1/credit/memoranda/x", json={"measures": ["warning"], "legal_basis": "x"}, headers=supervisor
        )
    ).status_code == 403


async def test_the_cli_imports_with_progress_and_checks_with_the_same_answer(
    world: World, tmp_path: Path, client: AsyncTestClient[Litestar]
) -> None:
    listed = random_uscc()
    env = {
        "GGZY_DATABASE_URL": world.settings.database_url,
        "GGZY_DATA_DIR": str(world.settings.data_dir),
        "GGZY_SECRET_KEY": world.settings.secret_key,
    }
    good = tmp_path / "wage.csv"
    good.write_bytes(
        list_csv([entry_row("欠薪公司", uscc=listed), entry_row("王五", subject_kind="person", person_id=ID)])
    )
    imported = run_ggzy(env, "credit", "import", "wage_arrears", str(good))
    assert imported.returncode == 0, imported.stderr
    assert "wage_arrears version 1: 2 entries; added 2, removed 0, changed 0" in imported.stdout
    again = run_ggzy(env, "credit", "import", "wage_arrears", str(good))
    assert "added 0, removed 0, changed 0" in again.stdout
    bad = tmp_path / "bad.csv"
    bad.write_bytes(list_csv([entry_row("坏行", uscc="91420100MA8X50C720")]))
    refused = run_ggzy(env, "credit", "import", "wage_arrears", str(bad))
    assert refused.returncode == 2 and "line 2: uscc" in refused.stderr
    checked = run_ggzy(
        env, "credit", "check", "--at", "2026-12-01", "--uscc", listed, "--person-id", ID, "--name", "赵六"
    )
    assert checked.returncode == 0, checked.stderr

    answer = json.loads(checked.stdout)
    assert [r["outcome"] for r in answer["results"]] == ["barred", "barred", "clear"]
    assert answer["results"][0]["hits"][0]["list_type"] == "wage_arrears"
    supervisor = await login(client, (await world.user(Role.supervisor)).username)
    api = await check(client, supervisor, "2026-12-01", {"uscc": listed}, {"person_id": ID}, {"name": "赵六"})
    assert [r["outcome"] for r in api] == [r["outcome"] for r in answer["results"]]


async def test_a_check_at_a_past_day_finds_an_entry_a_later_version_dropped(
    backend: str, client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    """A listed on 2026-01-10 in version 1 (imported on 2026-11-30), dropped by version 2 imported
    on 2026-12-03: a check of 2026-12-02 answers from what was listed then, one of 2026-12-03 not;
    an entry that a version changed is answered by its newer row, not twice."""
    admin, supervisor = await officers(client, world)
    dropped, changed = random_uscc(), random_uscc()
    first = [
        entry_row("被移出公司", uscc=dropped, listed_on="2026-01-10", document="A"),
        entry_row("被改正公司", uscc=changed, listed_on="2026-01-10", document="B", reason="原因甲"),
    ]
    assert (await import_list(client, admin, "dishonest_debtor", first)).status_code == 200
    clock.set(datetime(2026, 12, 3, 10, 0, tzinfo=SHANGHAI))
    second = [entry_row("被改正公司", uscc=changed, listed_on="2026-01-10", document="B", reason="原因乙")]
    assert (await import_list(client, admin, "dishonest_debtor", second)).status_code == 200

    for day, expected in (("2026-12-02", "barred"), ("2026-06-01", "barred"), ("2026-12-03", "clear")):
        [result] = await check(client, supervisor, day, {"uscc": dropped})
        assert result["outcome"] == expected, (day, result)
    for day in ("2026-12-02", "2026-12-04"):
        [result] = await check(client, supervisor, day, {"uscc": changed})
        assert result["outcome"] == "barred" and [h["entry"]["reason"] for h in result["hits"]] == ["原因乙"]
