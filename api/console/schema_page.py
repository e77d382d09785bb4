"""The OpenAPI page at ``/schema`` (接口文档), rendered by Swagger UI served from this process.

Litestar's stock pages load their scripts and fonts from a CDN and so render blank on an isolated
network; this one uses the pinned ``swagger-ui-dist`` files from ``/assets/vendor`` and an init
script of ours (no inline script).
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.openapi.plugins import OpenAPIRenderPlugin

from api.console.templating import ENVIRONMENT


class SchemaPage(OpenAPIRenderPlugin):
    def __init__(self) -> None:
        super().__init__(path=["/", "/swagger"], favicon="", style="")

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        page = ENVIRONMENT.get_template("console/schema.html")
        return page.render(
            title=openapi_schema["info"]["title"], spec_url=self.get_openapi_json_route(request)
        ).encode()
