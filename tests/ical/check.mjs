// Reads a Village calendar feed or invitation with ical.js (a parser Village does not write) and prints what
// it understood, as JSON, one object per VEVENT. Exits non-zero if the feed does not parse, is
// not a VCALENDAR, or an event lacks UID, DTSTAMP, DTSTART or SUMMARY, or repeats a UID.
//
//   npm ci --prefix tests/ical && node tests/ical/check.mjs feed.ics
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const REQUIRED = ["uid", "dtstamp", "dtstart", "summary"];

function fail(message) {
  process.stderr.write(`ical.js: ${message}\n`);
  process.exit(1);
}

const file = process.argv[2];
if (!file) {
  fail("usage: node check.mjs FEED.ics");
}

let calendar;
try {
  calendar = new ICAL.Component(ICAL.parse(readFileSync(file, "utf8")));
} catch (error) {
  fail(`${file} does not parse: ${error.message}`);
}
if (calendar.name !== "vcalendar") {
  fail(`${file} is a ${calendar.name}, not a vcalendar`);
}

const problems = [];
const seen = new Set();
const events = [];
for (const vevent of calendar.getAllSubcomponents("vevent")) {
  const uid = vevent.getFirstPropertyValue("uid") ?? "(no uid)";
  for (const name of REQUIRED) {
    const value = vevent.getFirstPropertyValue(name);
    if (value === null || value === undefined || value === "") {
      problems.push(`${uid}: no ${name.toUpperCase()}`);
    }
  }
  if (seen.has(uid)) {
    problems.push(`${uid}: UID used twice`);
  }
  seen.add(uid);
  try {
    const event = new ICAL.Event(vevent);
    events.push({
      uid: event.uid,
      sequence: event.sequence,
      status: vevent.getFirstPropertyValue("status") ?? "",
      organizer: vevent.getFirstPropertyValue("organizer") ?? "",
      attendees: vevent.getAllProperties("attendee").map((attendee) => attendee.getFirstValue()),
      summary: event.summary,
      description: event.description ?? "",
      location: event.location ?? "",
      dtstamp: vevent.getFirstPropertyValue("dtstamp").toString(),
      dtstart: event.startDate.toString(),
      dtend: event.endDate.toString(),
      allDay: event.startDate.isDate,
    });
  } catch (error) {
    problems.push(`${uid}: ${error.message}`);
  }
}
if (problems.length) {
  fail(problems.join("\n"));
}
process.stdout.write(
  JSON.stringify({
    name: calendar.getFirstPropertyValue("x-wr-calname"),
    method: calendar.getFirstPropertyValue("method") ?? "",
    events,
  }),
);
