// Starts Swagger UI from our own copy (static/vendor), so /docs/try needs no outside server.
// No deep links: Swagger UI puts each one inside the operation's own button (a link in a button,
// which neither a keyboard nor a screen reader can use); /docs has an anchor for every operation.
window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: false });
  // Examples and responses scroll sideways: a keyboard must be able to reach them to scroll.
  // Swagger UI's list of operations is a <main> inside the page's: one main, the other a region.
  function reachable() {
    var operations = document.getElementById("operations");
    if (operations && !operations.hasAttribute("role")) {
      operations.setAttribute("role", "region");
      operations.setAttribute("aria-label", "Operations");
    }
    root.querySelectorAll(".highlight-code > pre:not([tabindex])").forEach(function (pre) {
      pre.setAttribute("tabindex", "0");
    });
  }
  new MutationObserver(reachable).observe(root, { childList: true, subtree: true });
});
