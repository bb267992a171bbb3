"""The mixed-role scenario: simulated users browsing, registering, starring and applying, in asyncio.

Each simulated user is a task with its own cookies. Returning users start logged in (a session
cookie made by seed.py); the first ``fresh_logins`` users log in through the form (Argon2 with
production parameters). Users arrive evenly over the first half of the run; then each repeats, with
a think time drawn from ``think`` (1–5 s by default, as in locust's examples), a step chosen by weight:
the home page, the event page, the event feed, their own page (applications, calendar), and —
once each — registering for the event (the registration page's form), starring or unstarring a
session there (any number of times), and (company representatives, once) applying to pitch at the
roadshow. Forms are found in the pages, so a step a version does not offer is skipped.

Requests go to 127.0.0.1 only. HTTP/1.1 with one connection per request (gunicorn's sync workers
close the connection after each response, as they would behind nginx).
"""

from __future__ import annotations

import asyncio
import html
import random
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
FORM_RE = re.compile(r"<form\b[^>]*\baction=\"([^\"]+)\"[^>]*>(.*?)</form>", re.DOTALL | re.IGNORECASE)
OPTION_RE = re.compile(r'<select[^>]*name="(\w+)"[^>]*>(.*?)</select>', re.DOTALL)
VALUE_RE = re.compile(r'<option[^>]*value="([^"]+)"')
HIDDEN_RE = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


@dataclass
class Result:
    """One request: which step, its status (0 for a connection failure), its latency in seconds."""

    step: str
    status: int
    seconds: float
    ok: bool


@dataclass
class User:
    """A simulated user's identity, cookies and what they have done once already."""

    email: str
    company: bool
    cookies: dict[str, str] = field(default_factory=dict)
    done: set[str] = field(default_factory=set)


class Client:
    """A minimal HTTP/1.1 client for one host on loopback."""

    def __init__(self, host: str, port: int, user_agent: str, results: list[Result]) -> None:
        """Talk to *host*:*port*, recording every request into *results*."""
        self.host, self.port, self.user_agent, self.results = host, port, user_agent, results

    async def request(
        self, user: User, step: str, method: str, path: str, form: dict | list | None = None, expect=(200,)
    ) -> tuple[int, dict[str, str], str]:
        """Send one request with *user*'s cookies; returns status, headers and the body as text."""
        body = urlencode(form, doseq=True).encode() if form is not None else b""
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            f"User-Agent: {self.user_agent}",
            "Accept: text/html",
            "Connection: close",
        ]
        if user.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in user.cookies.items()))
        if form is not None:
            lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
        started = time.perf_counter()
        try:
            reader, writer = await asyncio.open_connection(self.host, self.port)
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
            await writer.drain()
            raw = await reader.read()
            writer.close()
        except OSError:
            self.results.append(Result(step, 0, time.perf_counter() - started, False))
            return 0, {}, ""
        elapsed = time.perf_counter() - started
        head, _, payload = raw.partition(b"\r\n\r\n")
        header_lines = head.decode("latin-1").split("\r\n")
        status = int(header_lines[0].split()[1]) if header_lines and len(header_lines[0].split()) > 1 else 0
        headers: dict[str, str] = {}
        for line in header_lines[1:]:
            name, _, value = line.partition(":")
            if name.lower() == "set-cookie":
                cookie_name, _, rest = value.strip().partition("=")
                cookie_value = rest.split(";", 1)[0]
                if cookie_value and "Max-Age=0" not in value and "Expires=Thu, 01 Jan 1970" not in value:
                    user.cookies[cookie_name] = cookie_value
                else:
                    user.cookies.pop(cookie_name, None)
            headers[name.lower()] = value.strip()
        self.results.append(Result(step, status, elapsed, status in expect))
        return status, headers, payload.decode("utf-8", "replace")


def _csrf(page: str) -> str:
    match = CSRF_RE.search(page)
    return html.unescape(match.group(1)) if match else ""


@dataclass
class Scenario:
    """The mixed scenario's settings and seeded data."""

    host: str
    port: int
    seed: dict
    users: int = 200
    fresh_logins: int = 20
    duration: float = 10.0
    think: tuple[float, float] = (1.0, 5.0)
    results: list[Result] = field(default_factory=list)

    async def run(self) -> list[Result]:
        """Run every simulated user until the duration is over; return every request's result."""
        client = Client(self.host, self.port, self.seed["user_agent"], self.results)
        deadline = time.perf_counter() + self.duration
        people = [User(entry["email"], entry["company"]) for entry in self.seed["users"][: self.users]]
        for number, (person, entry) in enumerate(zip(people, self.seed["users"], strict=False)):
            if number >= self.fresh_logins:
                person.cookies[self.seed["session_cookie_name"]] = entry["cookie"]
        random.shuffle(people)
        await asyncio.gather(
            *(self._user(client, person, number, deadline) for number, person in enumerate(people))
        )
        return self.results

    async def _user(self, client: Client, user: User, number: int, deadline: float) -> None:
        # Users arrive evenly over the first half of the run.
        await asyncio.sleep(self.duration / 2 * number / max(1, self.users))
        if self.seed["session_cookie_name"] not in user.cookies:
            await self._log_in(client, user)
        steps = [self._home, self._event_page, self._event_feed, self._own_page, self._register, self._star]
        weights = [2, 4, 2, 2, 1, 1]
        if user.company:
            steps.append(self._apply)
            weights.append(1)
        while time.perf_counter() < deadline:
            await random.choice(random.choices(steps, weights, k=1))(client, user)
            await asyncio.sleep(random.uniform(*self.think))

    async def _log_in(self, client: Client, user: User) -> None:
        _, _, page = await client.request(user, "log in (form)", "GET", "/login")
        form = {"csrf_token": _csrf(page), "email": user.email, "password": self.seed["password"]}
        await client.request(user, "log in (post)", "POST", "/login", form, expect=(302,))

    async def _home(self, client: Client, user: User) -> None:
        await client.request(user, "home", "GET", "/")

    async def _event_page(self, client: Client, user: User) -> str:
        _, _, page = await client.request(user, "event page", "GET", f"/events/{self.seed['small_event']}")
        return page

    async def _event_feed(self, client: Client, user: User) -> None:
        await client.request(user, "event feed", "GET", f"/events/{self.seed['small_event']}/calendar.ics")

    async def _own_page(self, client: Client, user: User) -> None:
        path = "/applications/" if user.company else "/account/calendar"
        await client.request(user, "own page", "GET", path)

    async def _registration_page(self, client: Client, user: User) -> str:
        path = f"/events/{self.seed['small_event']}/register"
        _, _, page = await client.request(user, "registration page", "GET", path)
        return page

    async def _post_form(
        self, client: Client, user: User, step: str, page: str, pattern: str, **fields
    ) -> bool:
        """Post a form of *page* whose action matches *pattern* (a random one), with its hidden fields."""
        forms = [(html.unescape(a), body) for a, body in FORM_RE.findall(page) if re.search(pattern, a)]
        if not forms:  # this version's page offers no such form
            return False
        action, body = random.choice(forms)
        data = {html.unescape(n): html.unescape(v) for n, v in HIDDEN_RE.findall(body)}
        data.update(fields)
        await client.request(user, step, "POST", urlsplit(action).path, data, expect=(302, 303))
        return True

    async def _register(self, client: Client, user: User) -> None:
        page = await self._registration_page(client, user)
        if "register" not in user.done:
            user.done.add("register")
            await self._post_form(client, user, "register", page, r"/register$", role="attendee")

    async def _star(self, client: Client, user: User) -> None:
        page = await self._registration_page(client, user)
        await self._post_form(client, user, "star", page, r"/star$")

    async def _apply(self, client: Client, user: User) -> None:
        if "apply" in user.done:
            return await self._own_page(client, user)
        user.done.add("apply")
        path = f"/applications/new?event={self.seed['roadshow']}"
        _, _, page = await client.request(user, "apply (form)", "GET", path)
        selects = {name: VALUE_RE.findall(options) for name, options in OPTION_RE.findall(page)}
        form = {
            "csrf_token": _csrf(page),
            "organisation": (selects.get("organisation") or [""])[0],
            "title": f"Load-test project of {user.email}",
            "summary": "A rehabilitation robot for clinics, looking for a Chinese distribution partner.",
            "sector": next((value for value in selects.get("sector", []) if value), ""),
            "stage": "prototype",
            "seeking": ["distribution"],
            "timezone": "Europe/Berlin",
            "windows-0-day": self.seed["roadshow_day"],
            "windows-0-start_time": "09:00",
            "windows-0-end_time": "12:00",
            "submit": "Submit application",
        }
        await client.request(user, "apply (post)", "POST", path, form, expect=(302, 303))
        return None


def summarise(results: list[Result], duration: float) -> dict:
    """Requests per second, p50/p99 in milliseconds and errors, overall and per step."""

    def figures(items: list[Result]) -> dict:
        latencies = sorted(result.seconds for result in items)
        if not latencies:
            return {"requests": 0, "rps": 0.0, "p50": 0.0, "p99": 0.0, "errors": 0}
        return {
            "requests": len(items),
            "rps": len(items) / duration,
            "p50": latencies[int(0.50 * (len(latencies) - 1))] * 1000,
            "p99": latencies[int(0.99 * (len(latencies) - 1))] * 1000,
            "errors": sum(not result.ok for result in items),
        }

    steps = sorted({result.step for result in results})
    return {
        "all": figures(results),
        "without log-in": figures([r for r in results if not r.step.startswith("log in")]),
        "steps": {step: figures([r for r in results if r.step == step]) for step in steps},
    }
