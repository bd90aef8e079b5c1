/* Village gradebook (a progressive enhancement: without it every cell is a link reached with Tab).

   - The grid is one Tab stop (a roving tabindex): the current cell's link has tabindex 0, every
     other link in the table -1. The arrow keys move between cells, the column headings included;
     Home and End go to the first and last cell of the row.
   - A focused cell is scrolled clear of the sticky heading row and name column, and into the
     window, so it is never hidden under them.
   - After the filter swaps in new results (htmx), the live region says how many students show.
   - A student's weekly note opens as a one-line form in its cell (htmx): the field takes the
     focus, Enter saves, Escape puts the cell back, and the focus returns to the cell's link.

   Listens on the document, so a table the filter swaps in works the same. */
(function () {
  "use strict";
  var moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };

  function links(table) {
    return table.querySelectorAll("thead a, tbody a");
  }

  function makeCurrent(table, link) {
    links(table).forEach(function (other) {
      other.setAttribute("tabindex", other === link ? "0" : "-1");
    });
  }

  function setUp() {
    var table = document.getElementById("gradebook");
    if (!table) {
      return;
    }
    var first = table.querySelector("tbody td a") || links(table)[0];
    if (first) {
      makeCurrent(table, first);
    }
    var frame = table.closest(".gradebook-wrap");
    if (frame) {
      // The cells' links are the frame's way in: it needs no Tab stop of its own.
      frame.removeAttribute("tabindex");
      frame.style.scrollPaddingTop = table.tHead.offsetHeight + "px";
    }
  }

  function linkAt(table, row, column) {
    var rows = table.rows;
    if (row < 0 || row >= rows.length) {
      return null;
    }
    var cells = rows[row].cells;
    if (column < 0 || column >= cells.length) {
      return null;
    }
    return cells[column].querySelector("a");
  }

  /* Scroll the frame, then the window, so the cell shows whole below the sticky heading row and
     right of the sticky name column. */
  function reveal(table, cell) {
    var frame = table.closest(".gradebook-wrap");
    if (frame) {
      var box = frame.getBoundingClientRect();
      var rect = cell.getBoundingClientRect();
      var top = box.top + frame.clientTop + (cell.closest("thead") ? 0 : table.tHead.offsetHeight);
      var bottom = box.top + frame.clientTop + frame.clientHeight;
      if (rect.top < top) {
        frame.scrollTop -= top - rect.top;
      } else if (rect.bottom > bottom) {
        frame.scrollTop += Math.min(rect.bottom - bottom, rect.top - top);
      }
      var nameColumn = table.rows[0].cells[0];
      var left = box.left + frame.clientLeft + (cell.cellIndex > 0 ? nameColumn.offsetWidth : 0);
      var right = box.left + frame.clientLeft + frame.clientWidth;
      if (rect.left < left) {
        frame.scrollLeft -= left - rect.left;
      } else if (rect.right > right) {
        frame.scrollLeft += Math.min(rect.right - right, rect.left - left);
      }
    }
    var now = cell.getBoundingClientRect();
    if (now.top < 0) {
      window.scrollBy(0, now.top);
    } else if (now.bottom > window.innerHeight) {
      window.scrollBy(0, Math.min(now.bottom - window.innerHeight, now.top));
    }
  }

  document.addEventListener("focusin", function (event) {
    var link = event.target.closest ? event.target.closest("#gradebook a") : null;
    if (!link) {
      return;
    }
    var table = link.closest("table");
    makeCurrent(table, link);
    reveal(table, link.closest("td, th"));
  });

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    var link = event.target.closest ? event.target.closest("#gradebook a") : null;
    if (!link) {
      return;
    }
    var table = link.closest("table");
    var cell = link.closest("td, th");
    var row = cell.parentElement.rowIndex;
    var column = cell.cellIndex;
    var target = null;
    if (moves[event.key]) {
      var step = moves[event.key];
      var nextRow = row + step[0];
      var nextColumn = column + step[1];
      target = linkAt(table, nextRow, nextColumn);
      // Skip cells without a link (the course grade, the names) when moving sideways.
      while (!target && step[1] !== 0 && nextColumn > 0 && nextColumn < cell.parentElement.cells.length) {
        nextColumn += step[1];
        target = linkAt(table, nextRow, nextColumn);
      }
    } else if (event.key === "Home" || event.key === "End") {
      var inRow = table.rows[row].querySelectorAll("td a, th a");
      target = inRow.length ? inRow[event.key === "Home" ? 0 : inRow.length - 1] : null;
    }
    if (target) {
      event.preventDefault();
      makeCurrent(table, target);
      target.focus({ preventScroll: true });
      reveal(table, target.closest("td, th"));
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !event.target.closest) {
      return;
    }
    var form = event.target.closest(".gb-note-form");
    var cancel = form ? form.querySelector(".gb-note-cancel") : null;
    if (cancel) {
      event.preventDefault();
      cancel.click();
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var cell = event.target && event.target.closest ? event.target.closest("td.gb-note") : null;
    if (cell) {
      var field = cell.querySelector("input[type=text]");
      var link = cell.querySelector("a.gb-note-link");
      (field || link || cell).focus();
      return;
    }
    if (!event.target || event.target.id !== "gradebook-results") {
      return;
    }
    setUp();
    var count = document.getElementById("gradebook-count");
    var status = document.getElementById("gradebook-status");
    if (count && status) {
      status.textContent = count.textContent.replace(/\s+/g, " ").trim();
    }
  });

  // The heading row's height changes with the window's width: keep the padding matching it.
  window.addEventListener("resize", function () {
    var table = document.getElementById("gradebook");
    var frame = table ? table.closest(".gradebook-wrap") : null;
    if (frame) {
      frame.style.scrollPaddingTop = table.tHead.offsetHeight + "px";
    }
  });

  setUp();
})();
