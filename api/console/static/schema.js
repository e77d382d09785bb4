// The OpenAPI page: Swagger UI from this server's own copy, reading the document this server generates.
const root = document.getElementById("swagger-ui");
window.SwaggerUIBundle({ url: root.dataset.specUrl, domNode: root, deepLinking: true, validatorUrl: null });
