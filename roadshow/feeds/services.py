"""Rows → calendar values: event feeds, personal feeds, single downloads and invitation entries.

Every feed is read with a fixed number of queries, whatever the number of sessions: the event (or the
token and a fingerprint of what its owner sees), then one query for sessions and one for pitch slots,
each joined to what it needs (event, application, organisation) and read as plain rows.

What a feed shows:

- an event feed: every session of a published (or cancelled, or archived) event, and the pitch
  slots of its published pitch programme (slots ``published`` or ``confirmed``) as their own events;
- a personal feed: the sessions and published pitch slots its owner starred in events they are
  registered for, the published pitch slots of the organisations they are an active member of, and
  everything of the events they organise; never anything of a draft event;
- a cancelled session (or every session of a cancelled event) stays as ``STATUS:CANCELLED`` with a
  higher SEQUENCE until the event is over (its last day has passed in its own zone), then leaves.

A pitch slot's SEQUENCE is its own plus its session's: both only ever rise, the slot's when its time
or holder changes, the session's when the block moves, is cancelled or changes link (or the event is
cancelled), so the sum rises on every change a slot's calendar entry shows.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy.orm import aliased

from roadshow import timezones
from roadshow.calendar import CalendarEntry, EntryStatus, FeedInfo, build_feed, build_single
from roadshow.enums import EventStatus, MembershipStatus, RegistrationStatus, SessionStatus, SlotState
from roadshow.extensions import db
from roadshow.feeds import reads
from roadshow.feeds.cache import CachedFeed, feed_cache
from roadshow.feeds.http import Validators, etag_for
from roadshow.feeds.tokens import TokenOwner
from roadshow.i18n import SESSION_KIND_LABELS
from roadshow.links import configured_server_name, external_url
from roadshow.models import (
    Event,
    EventOrganiser,
    Membership,
    Organisation,
    PitchApplication,
    PitchSlot,
    ProgrammeSession,
    Registration,
    session_stars,
    utcnow,
)
from roadshow.models.registration import slot_stars
from roadshow.permissions import PUBLIC_EVENT_STATUSES

SHOWN_SLOT_STATES = (SlotState.PUBLISHED, SlotState.CONFIRMED)
_PUBLIC_STATUSES = tuple(PUBLIC_EVENT_STATUSES)

_EVENT_COLUMNS = (
    Event.id.label("event_id"),
    Event.slug.label("event_slug"),
    Event.title.label("event_title"),
    Event.title_zh.label("event_title_zh"),
    Event.timezone.label("event_timezone"),
    Event.join_url.label("event_join_url"),
    Event.status.label("event_status"),
)
_SESSION_COLUMNS = (
    ProgrammeSession.id.label("session_id"),
    ProgrammeSession.kind.label("session_kind"),
    ProgrammeSession.status.label("session_status"),
    ProgrammeSession.title.label("session_title"),
    ProgrammeSession.title_zh.label("session_title_zh"),
    ProgrammeSession.description.label("session_description"),
    ProgrammeSession.description_zh.label("session_description_zh"),
    ProgrammeSession.starts_at.label("session_starts_at"),
    ProgrammeSession.ends_at.label("session_ends_at"),
    ProgrammeSession.track.label("session_track"),
    ProgrammeSession.join_url.label("session_join_url"),
    ProgrammeSession.sequence.label("session_sequence"),
    ProgrammeSession.updated_at.label("session_updated_at"),
)
_SLOT_COLUMNS = (
    PitchSlot.id.label("slot_id"),
    PitchSlot.starts_at.label("slot_starts_at"),
    PitchSlot.ends_at.label("slot_ends_at"),
    PitchSlot.sequence.label("slot_sequence"),
    PitchSlot.updated_at.label("slot_updated_at"),
    PitchApplication.title.label("project_title"),
    PitchApplication.title_zh.label("project_title_zh"),
    Organisation.name.label("company_name"),
    Organisation.name_zh.label("company_name_zh"),
)


# --- Language and labels ------------------------------------------------------------------------


def feed_language(requested: str | None) -> str:
    """The feed language: *requested* when it is one of ``LANGUAGES``, else the default language."""
    languages = current_app.config["LANGUAGES"]
    if requested in languages:
        return requested  # type: ignore[return-value]
    return current_app.config["BABEL_DEFAULT_LOCALE"]


@dataclass(frozen=True, slots=True)
class Labels:
    """The words a calendar needs, translated once per build (format strings keep their %(…)s)."""

    cancelled: str
    pitch: str
    pitch_in: str
    join: str
    track: str
    programme: str
    online: str
    conference: str
    kinds: dict[str, str]


def labels_for(language: str) -> Labels:
    """The calendar's words in *language*."""
    with force_locale(language):
        return Labels(
            cancelled=gettext("Cancelled: %(title)s"),
            pitch=gettext("Pitch: %(company)s – %(project)s"),
            pitch_in=gettext("Pitch slot in “%(session)s”."),
            join=gettext("Join online: %(url)s"),
            track=gettext("Track: %(track)s"),
            programme=gettext("Programme: %(url)s"),
            online=gettext("Online"),
            conference=gettext("Join online"),
            kinds={str(kind): str(label) for kind, label in SESSION_KIND_LABELS.items()},
        )


def _pick(language: str, english: str | None, chinese: str | None) -> str:
    if language == "zh" and chinese:
        return chinese
    return english or ""


# --- Rows → entries -------------------------------------------------------------------------------


def uid_host() -> str:
    """The host in every UID: ``CALENDAR_UID_HOST``, else ``SERVER_NAME`` without its port.

    UIDs must never change for the life of a session or slot, so set ``CALENDAR_UID_HOST`` before
    moving the site to another host name.
    """
    host = current_app.config.get("CALENDAR_UID_HOST") or configured_server_name()
    return host.split(":")[0]


def session_uid(session_id: int, host: str) -> str:
    """The UID of session *session_id*: ``session-42@host``."""
    return f"session-{session_id}@{host}"


def slot_uid(slot_id: int, host: str) -> str:
    """The UID of pitch slot *slot_id*: ``slot-7@host``."""
    return f"slot-{slot_id}@{host}"


def is_over(end_date: date, zone: str, now: datetime) -> bool:
    """True once the event's last day (*end_date* in its own *zone*) has passed."""
    return timezones.local_date(now, zone) > end_date


class _Builder:
    """Turns joined rows into entries for one language (event page links computed once per event)."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.labels = labels_for(language)
        self.host = uid_host()
        self._pages: dict[str, str] = {}

    def page_url(self, slug: str) -> str:
        url = self._pages.get(slug)
        if url is None:
            url = self._pages[slug] = external_url("public.event_page", slug=slug)
        return url

    def _cancelled(self, row: Any) -> bool:
        return row.session_status == SessionStatus.CANCELLED or row.event_status == EventStatus.CANCELLED

    def _details(self, row: Any, first: str) -> tuple[str | None, str, str]:
        """(join link, description, location) shared by sessions and slots."""
        labels = self.labels
        join_url = row.session_join_url or row.event_join_url or None
        facts = []
        if join_url:
            facts.append(labels.join % {"url": join_url})
        if row.session_track:
            facts.append(labels.track % {"track": row.session_track})
        facts.append(labels.programme % {"url": self.page_url(row.event_slug)})
        text = "\n".join(facts)
        if first:
            text = f"{first}\n\n{text}"
        return join_url, text, join_url or row.session_track or labels.online

    def session_entry(self, row: Any) -> CalendarEntry:
        """The entry of a session row (session and event columns)."""
        language, labels = self.language, self.labels
        cancelled = self._cancelled(row)
        title = _pick(language, row.session_title, row.session_title_zh)
        description = _pick(language, row.session_description, row.session_description_zh)
        join_url, text, location = self._details(row, description)
        kind = labels.kinds.get(str(row.session_kind))
        return CalendarEntry(
            uid=session_uid(row.session_id, self.host),
            sequence=row.session_sequence,
            summary=labels.cancelled % {"title": title} if cancelled else title,
            starts_at=row.session_starts_at,
            ends_at=row.session_ends_at,
            timezone=row.event_timezone,
            last_modified=row.session_updated_at,
            status=EntryStatus.CANCELLED if cancelled else EntryStatus.CONFIRMED,
            description=text,
            location=location,
            join_url=join_url,
            conference_label=labels.conference if join_url else "",
            categories=(kind,) if kind else (),
        )

    def slot_entry(self, row: Any) -> CalendarEntry:
        """The entry of a pitch slot row (slot, application, organisation, session and event columns)."""
        language, labels = self.language, self.labels
        cancelled = self._cancelled(row)
        company = _pick(language, row.company_name, row.company_name_zh)
        project = _pick(language, row.project_title, row.project_title_zh)
        title = labels.pitch % {"company": company, "project": project}
        session_title = _pick(language, row.session_title, row.session_title_zh)
        join_url, text, location = self._details(row, labels.pitch_in % {"session": session_title})
        return CalendarEntry(
            uid=slot_uid(row.slot_id, self.host),
            sequence=row.slot_sequence + row.session_sequence,
            summary=labels.cancelled % {"title": title} if cancelled else title,
            starts_at=row.slot_starts_at,
            ends_at=row.slot_ends_at,
            timezone=row.event_timezone,
            last_modified=max(row.slot_updated_at, row.session_updated_at),
            status=EntryStatus.CANCELLED if cancelled else EntryStatus.CONFIRMED,
            description=text,
            location=location,
            join_url=join_url,
            conference_label=labels.conference if join_url else "",
            categories=(labels.kinds.get("pitch_block", ""),),
        )


def _sessions_statement(*conditions: Any) -> sa.Select:
    return (
        sa.select(*_SESSION_COLUMNS, *_EVENT_COLUMNS, Event.end_date.label("event_end_date"))
        .join(Event, Event.id == ProgrammeSession.event_id)
        .where(*conditions)
    )


def _slots_statement(*conditions: Any, published_only: bool = True) -> sa.Select:
    statement = (
        sa.select(*_SLOT_COLUMNS, *_SESSION_COLUMNS, *_EVENT_COLUMNS, Event.end_date.label("event_end_date"))
        .join(ProgrammeSession, ProgrammeSession.id == PitchSlot.session_id)
        .join(Event, Event.id == ProgrammeSession.event_id)
        .join(PitchApplication, PitchApplication.id == PitchSlot.application_id)
        .join(Organisation, Organisation.id == PitchApplication.organisation_id)
        .where(*conditions)
    )
    if published_only:
        statement = statement.where(PitchSlot.state.in_(SHOWN_SLOT_STATES))
    return statement


def _entries(
    builder: _Builder, session_rows: Iterable[Any], slot_rows: Iterable[Any], now: datetime
) -> list[CalendarEntry]:
    """Entries of both kinds in time order, leaving out cancelled ones of events that are over."""
    over: dict[int, bool] = {}

    def keep(row: Any) -> bool:
        if not builder._cancelled(row):
            return True
        if row.event_id not in over:
            over[row.event_id] = is_over(row.event_end_date, row.event_timezone, now)
        return not over[row.event_id]

    keyed: list[tuple[datetime, int, int, CalendarEntry]] = []
    for row in session_rows:
        if keep(row):
            keyed.append((row.session_starts_at, 0, row.session_id, builder.session_entry(row)))
    for row in slot_rows:
        if keep(row):
            keyed.append((row.slot_starts_at, 1, row.slot_id, builder.slot_entry(row)))
    keyed.sort(key=lambda item: item[:3])
    return [entry for *_, entry in keyed]


# --- Event feeds ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EventHead:
    """The columns of an event that feeds need (read without the ORM: feeds are polled)."""

    id: int
    slug: str
    title: str
    title_zh: str | None
    timezone: str
    status: EventStatus
    end_date: date
    programme_version: int
    updated_at: datetime


def _run(statement: sa.Executable, **parameters: Any) -> sa.CursorResult:
    """Execute a prebuilt Core statement (no ORM layer, cached SQL) on the feed read connection."""
    return reads.read(statement, parameters)


# Calendar apps poll feeds all day; most polls end in a 304. Each process keeps an event's head
# row for FEED_HEAD_TTL seconds (1 s by default), so a busy feed costs no query at all: a programme
# change reaches every feed within that second. The cache is bounded and per process.
_HEAD_CACHE: dict[str, tuple[float, EventHead | None]] = {}
_HEAD_CACHE_LIMIT = 4096


def public_event(slug: str) -> EventHead | None:
    """The event with *slug* when its feed is public (published, cancelled, archived); else None."""
    ttl = float(current_app.config.get("FEED_HEAD_TTL", 1.0))
    now = time.monotonic()
    if ttl > 0:
        cached = _HEAD_CACHE.get(slug)
        if cached is not None and cached[0] > now:
            return cached[1]
    row = _run(_PUBLIC_EVENT, slug=slug).first()
    head = EventHead(*row) if row is not None else None
    if ttl > 0:
        if len(_HEAD_CACHE) >= _HEAD_CACHE_LIMIT:
            _HEAD_CACHE.clear()
        _HEAD_CACHE[slug] = (now + ttl, head)
    return head


def _event_over_since(event: EventHead, now: datetime) -> datetime | None:
    if not is_over(event.end_date, event.timezone, now):
        return None
    return timezones.local_day_bounds(event.end_date, event.timezone)[1]


@dataclass(frozen=True, slots=True)
class FeedKey:
    """What identifies one rendering of a feed: its cache key and validators."""

    cache_key: str
    validators: Validators


def event_feed_key(event: EventHead, language: str, now: datetime | None = None) -> FeedKey:
    """The cache key and validators of *event*'s feed in *language* — from the row alone, no query.

    The ETag follows the programme version (raised on every change the feed shows), the language
    and whether the event is over (cancelled sessions then leave the feed).
    """
    now = now or utcnow()
    over_since = _event_over_since(event, now)
    parts = ("event", event.id, event.programme_version, language, int(over_since is not None))
    last_modified = max(event.updated_at, over_since) if over_since else event.updated_at
    return FeedKey(":".join(map(str, parts)), Validators(etag_for(*parts), last_modified))


def event_feed_values(
    event: EventHead, language: str, now: datetime | None = None
) -> tuple[FeedInfo, list[CalendarEntry]]:
    """What *event*'s feed in *language* says, as plain values (two queries: sessions, published
    pitch slots)."""
    now = now or utcnow()
    builder = _Builder(language)
    sessions = _run(_EVENT_SESSIONS, event_id=event.id).all()
    slots = _run(_EVENT_SLOTS, event_id=event.id).all()
    entries = _entries(builder, sessions, slots, now)
    with force_locale(language):
        title = _pick(language, event.title, event.title_zh)
        info = FeedInfo(
            name=title,
            description=gettext(
                "The programme of %(event)s, kept up to date. Times are in %(zone)s.",
                event=title,
                zone=event.timezone,
            ),
            source_url=external_url("feeds.event_feed", slug=event.slug, **lang_args(language)),
        )
    return info, entries


def render_event_feed(event: EventHead, language: str, now: datetime | None = None) -> bytes:
    """*event*'s feed in *language*, encoded as UTF-8 (two queries)."""
    info, entries = event_feed_values(event, language, now)
    return build_feed(info, entries).encode("utf-8")


def lang_args(language: str) -> dict[str, str]:
    """The ``lang`` query argument of a feed URL in *language* (none for the default language)."""
    return {} if language == current_app.config["BABEL_DEFAULT_LOCALE"] else {"lang": language}


def cached_body(key: FeedKey, render: Any) -> bytes:
    """The feed under *key* from the cache, or ``render()`` stored there first."""
    cache = feed_cache(current_app._get_current_object())  # type: ignore[attr-defined]
    cached = cache.get(key.cache_key)
    if cached is not None:
        return cached.body
    body = render()
    cache.put(key.cache_key, CachedFeed(body, key.validators.last_modified))
    return body


# --- Personal feeds -------------------------------------------------------------------------------


def _starred_session_ids(user_id: Any) -> sa.Select:
    """Ids of sessions *user_id* starred in events they are (still) registered for; a star on
    another event's session counts for nothing. Not correlated to the outer query, so the database
    builds the set once instead of once per candidate session."""
    starred = aliased(ProgrammeSession)
    return (
        sa.select(session_stars.c.session_id)
        .join(Registration, Registration.id == session_stars.c.registration_id)
        .join(starred, starred.id == session_stars.c.session_id)
        .where(
            Registration.user_id == user_id,
            Registration.status != RegistrationStatus.CANCELLED,
            starred.event_id == Registration.event_id,
        )
    )


def _starred_slot_ids(user_id: Any) -> sa.Select:
    """Ids of pitch slots *user_id* starred in events they are (still) registered for (uncorrelated,
    like the sessions)."""
    slot, block = aliased(PitchSlot), aliased(ProgrammeSession)
    return (
        sa.select(slot_stars.c.slot_id)
        .join(Registration, Registration.id == slot_stars.c.registration_id)
        .join(slot, slot.id == slot_stars.c.slot_id)
        .join(block, block.id == slot.session_id)
        .where(
            Registration.user_id == user_id,
            Registration.status != RegistrationStatus.CANCELLED,
            block.event_id == Registration.event_id,
        )
    )


def _organised_event_ids(user_id: Any) -> sa.Select:
    return sa.select(EventOrganiser.event_id).where(EventOrganiser.user_id == user_id)


def _member_organisation_ids(user_id: Any) -> sa.Select:
    return sa.select(Membership.organisation_id).where(
        Membership.user_id == user_id, Membership.status == MembershipStatus.ACTIVE
    )


def _fingerprint_statement(user_id: Any) -> sa.CompoundSelect:
    """(kind, id, programme version, updated_at, end date, zone, status) of every row that decides
    what *user_id*'s personal feed shows."""
    columns = (Event.programme_version, Event.updated_at, Event.end_date, Event.timezone, Event.status)
    stars = (
        sa.select(sa.literal("s", sa.String), session_stars.c.session_id, *columns)
        .select_from(session_stars)
        .join(Registration, Registration.id == session_stars.c.registration_id)
        .join(ProgrammeSession, ProgrammeSession.id == session_stars.c.session_id)
        .join(Event, Event.id == Registration.event_id)
        .where(
            Registration.user_id == user_id,
            Registration.status != RegistrationStatus.CANCELLED,
            ProgrammeSession.event_id == Registration.event_id,
        )
    )
    starred_slots = (
        sa.select(sa.literal("t", sa.String), slot_stars.c.slot_id, *columns)
        .select_from(slot_stars)
        .join(Registration, Registration.id == slot_stars.c.registration_id)
        .join(Event, Event.id == Registration.event_id)
        .where(Registration.user_id == user_id, Registration.status != RegistrationStatus.CANCELLED)
    )
    organised = (
        sa.select(sa.literal("o", sa.String), EventOrganiser.event_id, *columns)
        .join(Event, Event.id == EventOrganiser.event_id)
        .where(EventOrganiser.user_id == user_id)
    )
    pitching = (
        sa.select(sa.literal("a", sa.String), PitchApplication.id, *columns)
        .join(Event, Event.id == PitchApplication.event_id)
        .where(PitchApplication.organisation_id.in_(_member_organisation_ids(user_id)))
    )
    return sa.union_all(stars, starred_slots, organised, pitching)


def personal_language(owner: TokenOwner) -> str:
    """The language of a personal feed: its owner's."""
    return feed_language(owner.locale)


# A personal feed's fingerprint is kept per process for FEED_HEAD_TTL seconds too (the same promise as
# event feeds: a change shows within that second), so a calendar app polling from a phone and a
# laptop costs one query per poll: the token's, which is checked every time, so that a revoked or
# regenerated URL stops working at once.
_FINGERPRINT_CACHE: dict[int, tuple[float, tuple[str, datetime]]] = {}
_FINGERPRINT_CACHE_LIMIT = 4096


def _fingerprint(user_id: int, since: datetime, now: datetime) -> tuple[str, datetime]:
    """(digest, Last-Modified) of every row that decides what *user_id*'s personal feed shows."""
    items: list[tuple[str, int, int, bool]] = []
    over: dict[tuple[date, str], bool] = {}
    last_modified = since
    for kind, item, version, updated_at, end_date, zone, status in _run(_FINGERPRINT, user_id=user_id):
        if status not in PUBLIC_EVENT_STATUSES:
            continue
        event_over = over.get((end_date, zone))
        if event_over is None:
            event_over = over[(end_date, zone)] = is_over(end_date, zone, now)
        items.append((kind, item, version, event_over))
        if updated_at > last_modified:
            last_modified = updated_at
    items.sort()
    return etag_for(*items), last_modified


def personal_feed_key(owner: TokenOwner, now: datetime | None = None) -> FeedKey:
    """The cache key and validators of *owner*'s personal feed: one small aggregate query.

    The fingerprint covers every row that decides what the feed shows — each starred session and
    slot (with its event's programme version), each organised event, each application of the user's
    organisations — plus the language and which of those events are over. Losing a membership,
    a star or a registration changes it, as does any programme change of a relevant event.
    """
    now = now or utcnow()
    ttl = float(current_app.config.get("FEED_HEAD_TTL", 1.0))
    clock = time.monotonic()
    cached = _FINGERPRINT_CACHE.get(owner.user_id) if ttl > 0 else None
    if cached is not None and cached[0] > clock:
        digest, last_modified = cached[1]
    else:
        digest, last_modified = _fingerprint(owner.user_id, owner.token_created_at, now)
        if ttl > 0:
            if len(_FINGERPRINT_CACHE) >= _FINGERPRINT_CACHE_LIMIT:
                _FINGERPRINT_CACHE.clear()
            _FINGERPRINT_CACHE[owner.user_id] = (clock + ttl, (digest, last_modified))
    last_modified = max(last_modified, owner.token_created_at)
    etag = etag_for("personal", owner.user_id, owner.token_id, personal_language(owner), digest)
    validators = Validators(etag, last_modified, trust_last_modified=False)
    return FeedKey(f"personal:{owner.user_id}:{etag}", validators)


def render_personal_feed(owner: TokenOwner, now: datetime | None = None) -> bytes:
    """*owner*'s personal feed, encoded (two queries: sessions, pitch slots)."""
    now = now or utcnow()
    language = personal_language(owner)
    builder = _Builder(language)
    sessions = _run(_PERSONAL_SESSIONS, user_id=owner.user_id).all()
    slots = _run(_PERSONAL_SLOTS, user_id=owner.user_id).all()
    entries = _entries(builder, sessions, slots, now)
    with force_locale(language):
        info = FeedInfo(
            name=gettext("My Roadshow calendar"),
            description=gettext(
                "Sessions you starred, your organisation's pitch slots and the events you organise."
            ),
        )
    return build_feed(info, entries).encode("utf-8")


# --- Single downloads -------------------------------------------------------------------------------


def item_key(event: EventHead, kind: str, item_id: int, language: str) -> FeedKey:
    """Validators of one session's or slot's download: from the event row alone, no query."""
    parts = ("item", kind, event.id, item_id, event.programme_version, language)
    return FeedKey(":".join(map(str, parts)), Validators(etag_for(*parts), event.updated_at))


def session_download(event: EventHead, session_id: int, language: str) -> bytes | None:
    """The ``.ics`` of *event*'s session *session_id* (one query); None when there is no such session."""
    row = _run(_ONE_SESSION, item_id=session_id, event_id=event.id).first()
    if row is None:
        return None
    entry = _Builder(language).session_entry(row)
    return build_single(entry, _pick(language, event.title, event.title_zh)).encode("utf-8")


def slot_download(event: EventHead, slot_id: int, language: str) -> bytes | None:
    """The ``.ics`` of *event*'s published pitch slot *slot_id* (one query); None when not shown."""
    row = _run(_ONE_SLOT, item_id=slot_id, event_id=event.id).first()
    if row is None:
        return None
    entry = _Builder(language).slot_entry(row)
    return build_single(entry, _pick(language, event.title, event.title_zh)).encode("utf-8")


# --- Entries for invitations ------------------------------------------------------------------------


def slot_invitation_entry(
    slot_id: int,
    language: str,
    *,
    company: tuple[str, str | None] | None = None,
    project: tuple[str, str | None] | None = None,
    span: tuple[datetime, datetime] | None = None,
) -> CalendarEntry | None:
    """The entry of slot *slot_id* for an invitation, in any state (one query).

    Args:
        slot_id: the slot.
        language: the recipient's language.
        company, project: (English, Chinese) names to show instead of the slot's current holder —
            a cancellation goes to the company that *lost* the slot.
        span: the (start, end) the recipient was told, for a cancellation of a changed slot.
    """
    row = db.session.execute(
        sa.select(*_SLOT_COLUMNS, *_SESSION_COLUMNS, *_EVENT_COLUMNS, Event.end_date.label("event_end_date"))
        .select_from(PitchSlot)
        .join(ProgrammeSession, ProgrammeSession.id == PitchSlot.session_id)
        .join(Event, Event.id == ProgrammeSession.event_id)
        .outerjoin(PitchApplication, PitchApplication.id == PitchSlot.application_id)
        .outerjoin(Organisation, Organisation.id == PitchApplication.organisation_id)
        .where(PitchSlot.id == slot_id)
    ).first()
    if row is None:
        return None
    values = row._asdict()
    if company is not None:
        values["company_name"], values["company_name_zh"] = company
    if project is not None:
        values["project_title"], values["project_title_zh"] = project
    if span is not None:
        values["slot_starts_at"], values["slot_ends_at"] = span
    return _Builder(language).slot_entry(_Row(values))


def session_invitation_entry(session_id: int, language: str) -> CalendarEntry | None:
    """The entry of session *session_id* for an invitation (one query)."""
    row = db.session.execute(_sessions_statement(ProgrammeSession.id == session_id)).first()
    if row is None:
        return None
    return _Builder(language).session_entry(row)


class _Row:
    """Attribute access over a dict, so adjusted rows read like query rows."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


# --- Prebuilt statements ---------------------------------------------------------------------------
# Built once: a feed request then pays neither for constructing the statement nor for its cache key.

_USER_ID = sa.bindparam("user_id")
_EVENT_ID = sa.bindparam("event_id")
_ITEM_ID = sa.bindparam("item_id")
_PUBLIC = Event.status.in_(_PUBLIC_STATUSES)

_PUBLIC_EVENT = sa.select(
    Event.id,
    Event.slug,
    Event.title,
    Event.title_zh,
    Event.timezone,
    Event.status,
    Event.end_date,
    Event.programme_version,
    Event.updated_at,
).where(Event.slug == sa.bindparam("slug"), _PUBLIC)
_EVENT_SESSIONS = _sessions_statement(ProgrammeSession.event_id == _EVENT_ID).order_by(ProgrammeSession.id)
_EVENT_SLOTS = _slots_statement(ProgrammeSession.event_id == _EVENT_ID).order_by(PitchSlot.id)
_ONE_SESSION = _sessions_statement(ProgrammeSession.id == _ITEM_ID, ProgrammeSession.event_id == _EVENT_ID)
_ONE_SLOT = _slots_statement(PitchSlot.id == _ITEM_ID, ProgrammeSession.event_id == _EVENT_ID)
_FINGERPRINT = _fingerprint_statement(_USER_ID)
_PERSONAL_SESSIONS = _sessions_statement(
    _PUBLIC,
    sa.or_(
        ProgrammeSession.id.in_(_starred_session_ids(_USER_ID)),
        ProgrammeSession.event_id.in_(_organised_event_ids(_USER_ID)),
    ),
).order_by(ProgrammeSession.id)
_PERSONAL_SLOTS = _slots_statement(
    _PUBLIC,
    sa.or_(
        PitchApplication.organisation_id.in_(_member_organisation_ids(_USER_ID)),
        PitchSlot.id.in_(_starred_slot_ids(_USER_ID)),
        ProgrammeSession.event_id.in_(_organised_event_ids(_USER_ID)),
    ),
).order_by(PitchSlot.id)


# --- Subscribe helpers ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SubscriptionLinks:
    """The ways to subscribe to one feed URL."""

    https: str
    webcal: str
    google: str
    outlook: str


GOOGLE_ADD_URL = "https://calendar.google.com/calendar/r?"
OUTLOOK_ADD_URL = "https://outlook.live.com/calendar/0/addfromweb?"


def subscription_links(https_url: str, name: str) -> SubscriptionLinks:
    """webcal://, "Add to Google Calendar" and "Add to Outlook.com" links for the feed *https_url*.

    Google takes the webcal URL as ``cid``; Outlook.com adds by URL with ``url`` and ``name``.
    """
    webcal = "webcal://" + https_url.split("://", 1)[1]
    return SubscriptionLinks(
        https=https_url,
        webcal=webcal,
        google=GOOGLE_ADD_URL + urlencode({"cid": webcal}),
        outlook=OUTLOOK_ADD_URL + urlencode({"url": https_url, "name": name}),
    )
