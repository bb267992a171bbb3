// Parse iCalendar files with Mozilla's ical.js (the parser behind Thunderbird) and print what it read
// as JSON, one object per file: calendar properties, time zones and every VEVENT with its instants
// in UTC, so that the Python tests can compare them with what was written.
//
// Usage: node tests/calendar/icaljs_check.mjs FILE...   (exits 1 with a message on a parse error)
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

function text(component, name) {
  const value = component.getFirstPropertyValue(name);
  return value === null || value === undefined ? null : String(value);
}

function describe(path) {
  const raw = readFileSync(path, "utf8");
  const calendar = new ICAL.Component(ICAL.parse(raw));
  if (calendar.name !== "vcalendar") throw new Error(`${path}: not a VCALENDAR`);
  const zones = calendar.getAllSubcomponents("vtimezone").map((zone) => {
    const timezone = new ICAL.Timezone(zone);
    ICAL.TimezoneService.register(timezone);
    return timezone.tzid;
  });
  const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
    const event = new ICAL.Event(vevent);
    const start = vevent.getFirstProperty("dtstart");
    const attendees = vevent.getAllProperties("attendee").map((p) => ({
      value: String(p.getFirstValue()),
      cn: p.getParameter("cn") || null,
      role: p.getParameter("role") || null,
      partstat: p.getParameter("partstat") || null,
      rsvp: p.getParameter("rsvp") || null,
    }));
    const organizer = vevent.getFirstProperty("organizer");
    return {
      uid: event.uid,
      summary: event.summary,
      description: event.description,
      location: event.location,
      sequence: event.sequence,
      status: text(vevent, "status"),
      url: text(vevent, "url"),
      conference: text(vevent, "conference"),
      tzid: start.getParameter("tzid") || null,
      start: event.startDate.toJSDate().toISOString(),
      end: event.endDate.toJSDate().toISOString(),
      dtstamp: vevent.getFirstPropertyValue("dtstamp").toJSDate().toISOString(),
      organizer: organizer ? String(organizer.getFirstValue()) : null,
      attendees,
    };
  });
  return {
    method: text(calendar, "method"),
    version: text(calendar, "version"),
    prodid: text(calendar, "prodid"),
    name: text(calendar, "name"),
    x_wr_calname: text(calendar, "x-wr-calname"),
    refresh_interval: text(calendar, "refresh-interval"),
    zones,
    events,
  };
}

try {
  console.log(JSON.stringify(process.argv.slice(2).map(describe)));
} catch (error) {
  console.error(String(error && error.stack ? error.stack : error));
  process.exit(1);
}
