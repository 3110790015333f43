// Starts Swagger UI from our own copy (static/vendor), so /docs needs no outside server.
window.addEventListener("load", function () {
  window.SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
});
