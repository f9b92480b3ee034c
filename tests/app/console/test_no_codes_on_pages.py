"""No code of the platform shows through on a Chinese page: the demo loaded, every console page
linked from the hall (and the hall itself) fetched as every demo role, and the visible text (not
code blocks, scripts or attributes) searched for every status, kind, list type and role code."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.console import i18n
from app.demo import DEMO_PASSWORD, USERS, load_demo
from tests.conftest import World, login

HIDDEN = {"code", "pre", "script", "style", "title", "option"}  # option values show their label


class VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.depth, self.parts, self.links = 0, [], []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HIDDEN:
            self.depth += 1
        if tag == "a":
            self.links += [v for k, v in attrs if k == "href" and v and v.startswith("/console/")]

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN and self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if not self.depth:
            self.parts.append(data)


def visible(html: str) -> tuple[str, list[str]]:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts), parser.links


CODE_WORDS = sorted(
    {key.split(":", 1)[1] for key in i18n.CODES if key.startswith("code:") and re.search("[a-z]", key[5:])}
    - {"x25519"},  # a cipher's name is its name in every language
    key=len,
    reverse=True,
)
CODE = re.compile(r"(?<![\w./-])(" + "|".join(map(re.escape, CODE_WORDS)) + r")(?![\w./-])")


async def test_no_code_shows_through_on_a_chinese_page_of_the_demo(
    client: AsyncTestClient[Litestar], world: World
) -> None:
    async with world.sessions() as session:
        await load_demo(session, world.clock, world.settings)
    found: dict[str, list[str]] = {}
    for username, _name, _role, _org in USERS:
        headers = await login(client, username, DEMO_PASSWORD)
        pages, seen = ["/console", "/"], set()
        while pages:
            path = pages.pop()
            if path in seen or len(seen) > 40:
                continue
            seen.add(path)
            answer = await client.get(path, headers=headers)
            if answer.status_code != 200 or "text/html" not in answer.headers.get("content-type", ""):
                continue
            text, links = visible(answer.text)
            pages += [link for link in links if not link.startswith("/console/audit/")] if path == "/console" else []
            leaked = sorted(set(CODE.findall(text.replace(username, ""))))  # a username is data
            if leaked:
                found[f"{username} {path}"] = leaked
    assert found == {}
