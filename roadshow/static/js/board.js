/* The pitch board: a search box that narrows the list of slots to those mentioning what is typed
 * (a company, a region, a time). Without JavaScript the box stays hidden and every slot is shown.
 *
 * Vanilla JavaScript, no dependencies, loaded with <script defer>.
 */
(function () {
  "use strict";

  function normalise(text) {
    return (text || "").toLocaleLowerCase().replace(/\s+/g, " ").trim();
  }

  function init(input) {
    var container = document.getElementById(input.getAttribute("data-board-filter"));
    if (!container) {
      return;
    }
    var slots = Array.prototype.slice.call(container.querySelectorAll(".board-slot"));
    var days = Array.prototype.slice.call(container.querySelectorAll(".board-day"));
    input.closest(".board-filter").hidden = false;

    input.addEventListener("input", function () {
      var wanted = normalise(input.value);
      slots.forEach(function (slot) {
        slot.hidden = wanted !== "" && normalise(slot.textContent).indexOf(wanted) === -1;
      });
      // A day heading stays visible while one of its slots does.
      days.forEach(function (heading) {
        var visible = false;
        for (var next = heading.nextElementSibling; next && !next.classList.contains("board-day"); next = next.nextElementSibling) {
          if (next.classList.contains("board-slot") && !next.hidden) {
            visible = true;
            break;
          }
        }
        heading.hidden = !visible;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-board-filter]"), init);
  });
})();
