/* Village: a formatting toolbar above text boxes marked data-format-toolbar. Each button writes
   the light formatting the help text describes (**bold**, *italic*, "- " and "1. " lists,
   [text](https://…) links) into the box, and selects what the teacher types next (the sample
   text, the link's text); without JavaScript people type it themselves. The
   button labels come from the box's data-format-* attributes, so they are translated. */
(function () {
  "use strict";

  function wrap(box, before, after, placeholder) {
    var start = box.selectionStart;
    var end = box.selectionEnd;
    var chosen = box.value.slice(start, end) || placeholder;
    box.setRangeText(before + chosen + after, start, end, "end");
    box.setSelectionRange(start + before.length, start + before.length + chosen.length);
  }

  /* A link: "[link text](https://)" with the placeholder selected, so what the teacher types
     next is the link's text. A chosen web address becomes the link's address; other chosen
     text becomes its text, and the caret waits after "https://" for the address. */
  function link(box) {
    var start = box.selectionStart;
    var chosen = box.value.slice(start, box.selectionEnd);
    var placeholder = box.dataset.formatLinkText || "link";
    var address = /^https?:\/\/\S+$/i.test(chosen);
    var text = chosen && !address ? chosen : placeholder;
    var href = address ? chosen : "https://";
    box.setRangeText("[" + text + "](" + href + ")", start, box.selectionEnd, "end");
    if (chosen && !address) {
      var caret = start + text.length + 3 + href.length;
      box.setSelectionRange(caret, caret);
    } else {
      box.setSelectionRange(start + 1, start + 1 + text.length);
    }
  }

  function prefixLines(box, numbered) {
    var value = box.value;
    var start = value.lastIndexOf("\n", box.selectionStart - 1) + 1;
    var end = value.indexOf("\n", box.selectionEnd);
    if (end === -1) {
      end = value.length;
    }
    var lines = value.slice(start, end).split("\n");
    var listed = lines.map(function (line, index) {
      return (numbered ? index + 1 + ". " : "- ") + line;
    });
    box.setRangeText(listed.join("\n"), start, end, "select");
  }

  var actions = {
    bold: function (box) { wrap(box, "**", "**", box.dataset.formatSample || ""); },
    italic: function (box) { wrap(box, "*", "*", box.dataset.formatSample || ""); },
    bullets: function (box) { prefixLines(box, false); },
    numbers: function (box) { prefixLines(box, true); },
    link: link
  };

  function toolbar(box) {
    var bar = document.createElement("div");
    bar.className = "format-toolbar";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", box.dataset.formatLabel || "Formatting");
    bar.setAttribute("aria-controls", box.id);
    Object.keys(actions).forEach(function (name) {
      var button = document.createElement("button");
      button.type = "button";
      button.dataset.format = name;
      button.textContent = box.dataset["format" + name.charAt(0).toUpperCase() + name.slice(1)] || name;
      button.addEventListener("click", function () {
        box.focus();
        actions[name](box);
        box.dispatchEvent(new Event("input", { bubbles: true }));
      });
      bar.appendChild(button);
    });
    box.parentNode.insertBefore(bar, box);
  }

  document.querySelectorAll("textarea[data-format-toolbar]").forEach(toolbar);
})();
