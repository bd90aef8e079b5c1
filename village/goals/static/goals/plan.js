/* Village: ordering the goals of a student's plan by dragging (a progressive enhancement).

   Without this script every goal has "Move earlier" and "Move later" buttons; they stay the
   keyboard's way of ordering. With it, each goal of a group with two or more also shows a handle
   that a mouse, a finger or a pen drags up and down the group's list (pointer events, so touch
   screens work as well as mice). On release the group's new order is sent to the list's
   data-reorder-url with the page's CSRF token; the server's answer (where the goal is now, or
   why the order was refused) is read out in the page's live region (#order-status), and a
   refused order is put back. Escape while dragging puts the goal back where it was. */
(function () {
  "use strict";

  var EDGE = 56; // px from the window's top or bottom where a drag scrolls the page

  function say(text) {
    var status = document.getElementById("order-status");
    if (!status || !text) {
      return;
    }
    // Emptied first, so that the same words said twice are read out twice.
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = text;
    }, 50);
  }

  function token() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function items(list) {
    return Array.prototype.filter.call(list.children, function (child) {
      return child.matches("li[data-goal]");
    });
  }

  function order(list) {
    return items(list).map(function (item) {
      return item.getAttribute("data-goal");
    });
  }

  /* The first goal cannot move earlier, the last cannot move later. */
  function refreshButtons(list) {
    var all = items(list);
    all.forEach(function (item, index) {
      var earlier = item.querySelector(".move-earlier");
      var later = item.querySelector(".move-later");
      if (earlier) {
        earlier.disabled = index === 0;
      }
      if (later) {
        later.disabled = index === all.length - 1;
      }
    });
  }

  function restore(list, ids) {
    var byId = {};
    items(list).forEach(function (item) {
      byId[item.getAttribute("data-goal")] = item;
    });
    ids.forEach(function (id) {
      list.appendChild(byId[id]);
    });
    refreshButtons(list);
  }

  function send(list, before, moved) {
    var body = new URLSearchParams();
    order(list).forEach(function (id) {
      body.append("goal", id);
    });
    body.append("moved", moved);
    var failed = list.getAttribute("data-failed");
    fetch(list.getAttribute("data-reorder-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token(), Accept: "application/json" },
      body: body,
    })
      .then(function (response) {
        return response.json().then(function (answer) {
          if (!response.ok) {
            restore(list, before);
          }
          say(answer.message || failed);
        });
      })
      .catch(function () {
        restore(list, before);
        say(failed);
      });
  }

  /* Put the dragged goal before the first other goal whose middle is below the pointer. */
  function place(list, item, y) {
    var next = null;
    var others = items(list).filter(function (other) {
      return other !== item;
    });
    for (var i = 0; i < others.length; i += 1) {
      var box = others[i].getBoundingClientRect();
      if (y < box.top + box.height / 2) {
        next = others[i];
        break;
      }
    }
    if (next !== item.nextElementSibling) {
      list.insertBefore(item, next);
    }
  }

  /* The listeners are on the document, not on the handle with a pointer capture: moving the
     goal in the list takes its handle out of the document for a moment, which ends a capture. */
  function drag(event) {
    if (event.button !== 0 || !event.isPrimary) {
      return;
    }
    var pointer = event.pointerId;
    var item = event.currentTarget.closest("li[data-goal]");
    var list = item.parentElement;
    var before = order(list);
    event.preventDefault();
    item.classList.add("is-dragging");

    function onMove(moving) {
      if (moving.pointerId !== pointer) {
        return;
      }
      moving.preventDefault();
      place(list, item, moving.clientY);
      if (moving.clientY < EDGE) {
        window.scrollBy(0, -12);
      } else if (moving.clientY > window.innerHeight - EDGE) {
        window.scrollBy(0, 12);
      }
    }

    function finish(cancelled) {
      document.removeEventListener("pointermove", onMove);
      document.removeEventListener("pointerup", onUp);
      document.removeEventListener("pointercancel", onCancel);
      document.removeEventListener("keydown", onKey);
      item.classList.remove("is-dragging");
      if (cancelled) {
        restore(list, before);
        return;
      }
      refreshButtons(list);
      if (order(list).join(",") !== before.join(",")) {
        send(list, before, item.getAttribute("data-goal"));
      }
    }

    function onUp(up) {
      if (up.pointerId === pointer) {
        finish(false);
      }
    }

    function onCancel(cancel) {
      if (cancel.pointerId === pointer) {
        finish(true);
      }
    }

    function onKey(key) {
      if (key.key === "Escape") {
        finish(true);
      }
    }

    document.addEventListener("pointermove", onMove);
    document.addEventListener("pointerup", onUp);
    document.addEventListener("pointercancel", onCancel);
    document.addEventListener("keydown", onKey);
  }

  function setUp() {
    document.querySelectorAll("ol[data-reorder-url]").forEach(function (list) {
      if (items(list).length < 2) {
        return;
      }
      list.querySelectorAll(".drag-handle").forEach(function (handle) {
        handle.hidden = false;
        handle.title = list.getAttribute("data-handle-title") || "";
        handle.addEventListener("pointerdown", drag);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
