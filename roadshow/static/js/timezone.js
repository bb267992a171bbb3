/* Remember the browser's time zone, so that pages show times on the reader's own clock.
 *
 * Reads Intl.DateTimeFormat().resolvedOptions().timeZone and, when it differs from the `tz` cookie,
 * POSTs it to /timezone (which checks the name and sets the cookie). The CSRF token comes from
 * <meta name="csrf-token"> when the page has one, else from any form on the page. Visitors' public
 * pages carry no token (they hold no form, so that one cached copy serves every visitor): there the
 * script sets the cookie itself, and the server checks the name when it reads it. A page marked with
 * [data-timezone-sensitive] is reloaded once so that its times appear in the zone just learnt; a flag
 * in sessionStorage stops any reload loop (cookies refused, zone refused by the server).
 *
 * A <select data-timezone-detect> left blank (the sign-up form's zone) is preset to the browser's
 * zone when it offers it.
 *
 * Vanilla JavaScript, no dependencies, loaded with <script defer>. Without JavaScript nothing
 * happens: times stay in the event's zone (and the profile's zone for signed-in users).
 */
(function () {
  "use strict";

  var COOKIE = "tz";
  var ENDPOINT = "/timezone";
  var RELOADED = "roadshow-timezone-reloaded";
  var MAX_AGE = 365 * 24 * 3600; // as the server's cookie
  var ZONE_NAME = /^[A-Za-z0-9_+\-\/]+$/; // the characters of IANA names; nothing a cookie must escape

  if (window.roadshowTimezoneStarted) {
    return; // loaded twice (by the layout and by a page): run once
  }
  window.roadshowTimezoneStarted = true;

  function browserZone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (error) {
      return "";
    }
  }

  function cookieZone() {
    var parts = document.cookie ? document.cookie.split(";") : [];
    for (var i = 0; i < parts.length; i += 1) {
      var pair = parts[i].trim();
      if (pair.indexOf(COOKIE + "=") === 0) {
        try {
          return decodeURIComponent(pair.substring(COOKIE.length + 1)).replace(/^"|"$/g, "");
        } catch (error) {
          return "";
        }
      }
    }
    return "";
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && meta.getAttribute("content")) {
      return meta.getAttribute("content");
    }
    var input = document.querySelector('input[name="csrf_token"]');
    return input ? input.value : "";
  }

  function alreadyReloaded() {
    try {
      return window.sessionStorage.getItem(RELOADED) === "1";
    } catch (error) {
      return true; // no storage: never reload
    }
  }

  function markReloaded() {
    try {
      window.sessionStorage.setItem(RELOADED, "1");
    } catch (error) {
      /* ignored: alreadyReloaded() answers true without storage */
    }
  }

  function reloadIfSensitive(zone) {
    if (document.querySelector("[data-timezone-sensitive]") && !alreadyReloaded() && cookieZone() === zone) {
      markReloaded();
      window.location.reload();
    }
  }

  function setCookie(zone) {
    if (!ZONE_NAME.test(zone)) {
      return;
    }
    var secure = window.location.protocol === "https:" ? "; Secure" : "";
    document.cookie = COOKIE + "=" + zone + "; Path=/; Max-Age=" + MAX_AGE + "; SameSite=Lax" + secure;
    reloadIfSensitive(zone);
  }

  function remember(zone) {
    var token = csrfToken();
    if (!token) {
      setCookie(zone);
      return;
    }
    if (!window.fetch || !window.URLSearchParams) {
      return;
    }
    var body = new URLSearchParams();
    body.set("timezone", zone);
    body.set("csrf_token", token);
    window
      .fetch(ENDPOINT, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": token, "X-Requested-With": "fetch", Accept: "application/json" },
        body: body,
      })
      .then(function (response) {
        if (response.status === 204) {
          reloadIfSensitive(zone);
        }
      })
      .catch(function () {
        /* offline or refused: try again on the next page */
      });
  }

  function presetSelects(zone) {
    Array.prototype.forEach.call(document.querySelectorAll("select[data-timezone-detect]"), function (select) {
      if (select.value === "" && select.querySelector('option[value="' + zone.replace(/"/g, "") + '"]')) {
        select.value = zone;
      }
    });
  }

  function start() {
    var zone = browserZone();
    if (!zone) {
      return;
    }
    presetSelects(zone);
    if (zone !== cookieZone()) {
      remember(zone);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
