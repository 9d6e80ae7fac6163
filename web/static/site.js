// Progressive enhancement for the river. Without this script each entry
// still unfolds and folds through its <details> element; with it, a second
// "Show less" button at the end of the unfolded text folds the entry and
// brings its top back into view, so a long read does not leave the reader
// stranded far down the page.
(function () {
  "use strict";
  document.querySelectorAll("details.more").forEach(function (details) {
    var body = details.querySelector(".more-body");
    var summary = details.querySelector("summary");
    if (!body || !summary) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "fold";
    button.textContent = "Show less";
    button.addEventListener("click", function () {
      details.open = false;
      var entry = details.closest("article") || details;
      if (entry.getBoundingClientRect().top < 0) {
        entry.scrollIntoView({ block: "start" });
      }
      summary.focus({ preventScroll: true });
    });
    body.appendChild(button);
  });
})();
