/* Village gradebook: arrow keys move between the cells' links (a progressive enhancement; the
   table works with Tab and Enter alone). Home and End go to the first and last cell of the row.
   Listens on the document, so a table the filter swaps in (htmx) works the same. */
(function () {
  "use strict";
  var table = null;
  var moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };

  function cellLink(row, column) {
    var rows = table.tBodies[0].rows;
    if (row < 0 || row >= rows.length) {
      return null;
    }
    var cells = rows[row].cells;
    if (column < 0 || column >= cells.length) {
      return null;
    }
    return cells[column].querySelector("a");
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    var link = event.target.closest ? event.target.closest("#gradebook tbody a") : null;
    if (!link) {
      return;
    }
    table = link.closest("table");
    var cell = link.closest("td, th");
    var row = cell.parentElement.sectionRowIndex;
    var column = cell.cellIndex;
    var target = null;
    if (moves[event.key]) {
      var step = moves[event.key];
      var nextRow = row + step[0];
      var nextColumn = column + step[1];
      target = cellLink(nextRow, nextColumn);
      // Skip cells without a link (the course grade) when moving sideways.
      while (!target && step[1] !== 0 && nextColumn > 0 && nextColumn < cell.parentElement.cells.length) {
        nextColumn += step[1];
        target = cellLink(nextRow, nextColumn);
      }
    } else if (event.key === "Home") {
      target = table.tBodies[0].rows[row].querySelector("td a");
    } else if (event.key === "End") {
      var links = table.tBodies[0].rows[row].querySelectorAll("td a");
      target = links.length ? links[links.length - 1] : null;
    }
    if (target) {
      event.preventDefault();
      target.focus();
      target.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
  });
})();
