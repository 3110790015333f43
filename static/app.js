// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.isContentEditable);
    if ((event.key === "/" && !typing) || (event.key === "k" && (event.ctrlKey || event.metaKey))) {
      var box = document.getElementById("site-search");
      if (box) { event.preventDefault(); box.focus(); box.select(); }
    }
  });
})();
