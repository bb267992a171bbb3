/* Availability rows of the pitch application form.
 *
 * - "Add another window" clones the last row (without JavaScript the button re-renders the page
 *   with one more row, so this is only a shortcut).
 * - While typing, each row shows the same window in the other side's time zone and the event's,
 *   computed with Intl.DateTimeFormat and its timeZone option. The server checks everything again.
 *
 * Vanilla JavaScript, no dependencies, loaded with <script defer>.
 */
(function () {
  "use strict";

  var MINUTE = 60 * 1000;
  var HOUR = 60 * MINUTE;

  /* The wall-clock fields of instant *ms* in *zone*, as numbers. */
  function wallClock(ms, zone) {
    var parts = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric"
    }).formatToParts(new Date(ms));
    var out = {};
    parts.forEach(function (part) {
      if (part.type !== "literal") {
        out[part.type] = parseInt(part.value, 10);
      }
    });
    if (out.hour === 24) {
      out.hour = 0;
    }
    return out;
  }

  /* The offset of *zone* from UTC at instant *ms*, in milliseconds. */
  function offsetAt(ms, zone) {
    var w = wallClock(ms, zone);
    return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute) - Math.floor(ms / MINUTE) * MINUTE;
  }

  /* The instant(s) at which the wall clock in *zone* shows the given date and time:
   * none when a daylight-saving change skips it, two when one repeats it. */
  function localToInstants(year, month, day, hour, minute, zone) {
    var naive = Date.UTC(year, month - 1, day, hour, minute);
    var found = [];
    [naive - offsetAt(naive - 12 * HOUR, zone), naive - offsetAt(naive + 12 * HOUR, zone)].forEach(function (ms) {
      var w = wallClock(ms, zone);
      var same = w.year === year && w.month === month && w.day === day && w.hour === hour && w.minute === minute;
      if (same && found.indexOf(ms) === -1) {
        found.push(ms);
      }
    });
    return found.sort(function (a, b) { return a - b; });
  }

  function parseDate(value) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value || "");
    return m ? { year: +m[1], month: +m[2], day: +m[3] } : null;
  }

  function parseTime(value) {
    var m = /^(\d{2}):(\d{2})/.exec(value || "");
    return m ? { hour: +m[1], minute: +m[2] } : null;
  }

  function isZone(zone) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: zone });
      return true;
    } catch (e) {
      return false;
    }
  }

  function lang() {
    return document.documentElement.lang || undefined;
  }

  function dayText(ms, zone) {
    return new Intl.DateTimeFormat(lang(), { timeZone: zone, weekday: "short", day: "numeric", month: "short" })
      .format(new Date(ms));
  }

  function clockText(ms, zone) {
    return new Intl.DateTimeFormat(lang(), { timeZone: zone, hour: "numeric", minute: "2-digit" })
      .format(new Date(ms));
  }

  function spanText(start, end, zone) {
    var startDay = dayText(start, zone);
    var endDay = dayText(end, zone);
    return startDay + ", " + clockText(start, zone) + "–" +
      (endDay !== startDay ? endDay + ", " : "") + clockText(end, zone);
  }

  function Availability(box) {
    this.box = box;
    this.form = box.closest("form");
    this.rowsBox = box.querySelector("[data-window-rows]");
    this.zoneSelect = box.querySelector("select[name='timezone']");
    this.companySelect = this.form ? this.form.querySelector("select[name='organisation']") : null;
    this.compareZones = (box.getAttribute("data-compare-zones") || "").split(",").filter(Boolean);
    this.eventZone = box.getAttribute("data-event-zone");
  }

  Availability.prototype.message = function (name) {
    return this.box.getAttribute("data-message-" + name) || "";
  };

  Availability.prototype.zones = function () {
    var own = this.zoneSelect ? this.zoneSelect.value : "";
    var zones = this.compareZones;
    if (this.companySelect) {
      var option = this.companySelect.options[this.companySelect.selectedIndex];
      var fromOption = option ? option.getAttribute("data-compare-zones") : null;
      if (fromOption) {
        zones = fromOption.split(",").filter(Boolean);
      }
    }
    return zones.filter(function (zone) { return zone !== own && isZone(zone); });
  };

  Availability.prototype.rows = function () {
    return Array.prototype.slice.call(this.rowsBox.querySelectorAll("[data-window-row]"));
  };

  Availability.prototype.field = function (row, suffix) {
    return row.querySelector("input[name$='-" + suffix + "']");
  };

  Availability.prototype.preview = function (row) {
    var out = row.querySelector("[data-window-preview]");
    var own = this.zoneSelect ? this.zoneSelect.value : "";
    var day = parseDate(this.field(row, "day").value);
    var from = parseTime(this.field(row, "start_time").value);
    var to = parseTime(this.field(row, "end_time").value);
    out.textContent = "";
    if (!day || !from || !to || !isZone(own)) {
      return;
    }
    var starts = localToInstants(day.year, day.month, day.day, from.hour, from.minute, own);
    var ends = localToInstants(day.year, day.month, day.day, to.hour, to.minute, own);
    if (starts.length === 0 || ends.length === 0) {
      out.textContent = this.message("nonexistent");
      return;
    }
    if (starts.length > 1 || ends.length > 1) {
      out.textContent = this.message("ambiguous");
      return;
    }
    if (ends[0] <= starts[0]) {
      out.textContent = this.message("order");
      return;
    }
    var self = this;
    this.zones().forEach(function (zone, index) {
      if (index > 0) {
        out.appendChild(document.createElement("br"));
      }
      var line = document.createElement("span");
      line.className = "preview-zone";
      var label = zone + (zone === self.eventZone ? " (" + self.box.getAttribute("data-label-event") + ")" : "");
      line.textContent = label + ": " + spanText(starts[0], ends[0], zone);
      out.appendChild(line);
    });
  };

  Availability.prototype.refresh = function () {
    var self = this;
    this.rows().forEach(function (row) { self.preview(row); });
  };

  /* Copy the last row with the next free index, empty and without its error messages. */
  Availability.prototype.addRow = function () {
    var rows = this.rows();
    var max = parseInt(this.box.getAttribute("data-max-windows") || "0", 10);
    if (max && rows.length >= max) {
      return;
    }
    var last = rows[rows.length - 1];
    var next = 0;
    rows.forEach(function (row) {
      var m = /^windows-(\d+)-/.exec(row.querySelector("input").name);
      if (m) {
        next = Math.max(next, parseInt(m[1], 10) + 1);
      }
    });
    var copy = last.cloneNode(true);
    var rename = function (value) { return value.replace(/^windows-\d+-/, "windows-" + next + "-"); };
    copy.querySelectorAll("input").forEach(function (input) {
      input.name = rename(input.name);
      input.id = rename(input.id);
      input.value = "";
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
    });
    copy.querySelectorAll("label[for]").forEach(function (label) {
      label.htmlFor = rename(label.htmlFor);
    });
    copy.querySelectorAll(".errors").forEach(function (list) { list.remove(); });
    copy.querySelectorAll(".has-errors").forEach(function (el) { el.classList.remove("has-errors"); });
    copy.querySelector("[data-window-preview]").textContent = "";
    copy.querySelector("[data-window-legend]").textContent =
      this.box.getAttribute("data-label-window") + " " + (rows.length + 1);
    this.rowsBox.appendChild(copy);
    this.field(copy, "day").focus();
  };

  Availability.prototype.start = function () {
    var self = this;
    this.box.addEventListener("input", function (event) {
      var row = event.target.closest("[data-window-row]");
      if (row) {
        self.preview(row);
      }
    });
    this.box.addEventListener("change", function (event) {
      var row = event.target.closest("[data-window-row]");
      if (row) {
        self.preview(row);
      } else {
        self.refresh();
      }
    });
    if (this.companySelect) {
      this.companySelect.addEventListener("change", function () { self.refresh(); });
    }
    var add = this.box.querySelector("[data-add-window]");
    if (add) {
      add.addEventListener("click", function (event) {
        event.preventDefault();
        self.addRow();
      });
    }
    this.refresh();
  };

  function init() {
    if (!window.Intl || !Intl.DateTimeFormat || !Intl.DateTimeFormat.prototype.formatToParts) {
      return; // the server-rendered rows and previews still work
    }
    document.querySelectorAll("[data-availability]").forEach(function (box) {
      new Availability(box).start();
    });
  }

  if (typeof module === "object" && module.exports) {
    // Node (the test suite) checks the time arithmetic; browsers never see this branch.
    module.exports = { localToInstants: localToInstants, offsetAt: offsetAt };
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
