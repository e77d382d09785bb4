"""The application factory: wires settings, storage and every domain's routes."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import pkgutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Controller, Litestar
from litestar.config.response_cache import ResponseCacheConfig
from litestar.datastructures import ResponseHeader
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

import api
from api import errors
from api.alerts.hub import running_hub
from api.audit.checkpoints import anchoring
from api.auth import revocation
from api.auth.browser import BrowserOrBearerMiddleware
from api.auth.csrf import CsrfMiddleware
from api.body import BodyRequest
from api.cameras.watchdog import watching
from api.complaints import identity
from api.compression import BODY_LIMIT, CompressionMiddleware
from api.console import assets
from api.console.page import collect_menu
from api.console.schema_page import SchemaPage
from api.deps import provide_db, provide_principal, provide_store
from api.documents.pdf import press
from api.observability import metrics
from api.observability.requests import observe_requests
from api.security_headers import security_headers
from api.settings import Settings
from mobile_contract import CONTRACT_VERSION
from storage import objects
from storage.db import create_pool
from storage.migrate import apply_migrations

SCHEMA_PATH = "/schema"


def discover_controllers() -> list[type[Controller]]:
    """Every Controller defined in an ``api/<domain>/routes.py`` (the API) or ``pages.py`` (the console)."""
    domains = sorted(m.name for m in pkgutil.iter_modules(api.__path__) if m.ispkg)
    return [found for domain in domains for kind in ("routes", "pages") for found in _controllers_in(domain, kind)]


def _controllers_in(domain: str, kind: str) -> list[type[Controller]]:
    name = f"api.{domain}.{kind}"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            return []
        raise
    return [
        obj
        for _, obj in inspect.getmembers(module, inspect.isclass)
        if issubclass(obj, Controller) and obj.__module__ == module.__name__
    ]


def unguarded_routes(app: Litestar) -> list[str]:
    """Routes with neither a guard nor ``opt={"public": True}``."""
    missing = []
    for route in app.routes:
        if route.path.startswith(SCHEMA_PATH):
            continue
        for handler in getattr(route, "route_handlers", []):
            if handler.http_methods == {"OPTIONS"}:
                continue  # Litestar's automatic CORS pre-flight answer
            if not handler.resolve_guards() and not handler.opt.get("public"):
                missing.append(f"{sorted(handler.http_methods)} {route.path}")
    return missing


def lifespan_for(settings: Settings):
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        assert settings.database.url is not None, "resolve embedded services first"
        app.state.complaint_cipher = identity.cipher_from(settings)  # no key, no start (not a 503 per request)
        await asyncio.to_thread(apply_migrations, settings.database.url)
        app.state.pool = await create_pool(
            settings.database.url,
            min_size=settings.database.pool_min,
            max_size=settings.database.pool_max,
        )
        app.state.store = build_store(settings)
        await app.state.store.ensure_bucket()
        press.configure(settings)
        serving = settings.serving
        hub = running_hub(
            app.state.pool,
            settings.database.url,
            per_user=serving.streams_per_user,
            per_process=serving.streams_per_process,
        )
        try:
            async with (
                revocation.kept_current(settings.database.url, token_ttl_s=settings.auth.access_ttl_s) as kept,
                hub as app.state.alert_hub,
                anchoring(app.state.pool, app.state.store, settings),
                watching(app.state.pool, settings),
            ):
                app.state.revocations = kept
                watch_live_state(app)
                yield
        finally:
            await app.state.pool.close()

    return lifespan


def watch_live_state(app: Litestar) -> None:
    pool, hub = app.state.pool, app.state.alert_hub
    metrics.watch_live_state(
        lambda: (pool.get_size(), pool.get_idle_size(), pool.get_max_size()), lambda: len(hub.subscriptions)
    )


def build_store(settings: Settings) -> objects.ObjectStore:
    s3 = settings.object_store
    assert s3.endpoint is not None, "resolve embedded services first"
    client = objects.connect(
        endpoint=s3.endpoint, access_key=s3.access_key, secret_key=s3.secret_key, secure=s3.secure, region=s3.region
    )
    return objects.ObjectStore(
        client,
        s3.bucket,
        retention_days=s3.retention_days,
        presign_ttl_s=s3.presign_ttl_s,
        public_url=s3.public_url,
        region=s3.region,
    )


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Field enforcement API (移动执法与非现场监管)",
        version=CONTRACT_VERSION,
        path=SCHEMA_PATH,
        components=Components(
            security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")}
        ),
        security=[{"bearer": []}],
        render_plugins=[SchemaPage(), JsonRenderPlugin()],
    )


def create_app(settings: Settings) -> Litestar:
    app = Litestar(
        route_handlers=[*discover_controllers(), *assets.routers()],
        lifespan=[lifespan_for(settings)],
        dependencies={
            "db": Provide(provide_db),
            "principal": Provide(provide_principal, sync_to_thread=False),
            "store": Provide(provide_store, sync_to_thread=False),
        },
        middleware=[
            CompressionMiddleware,  # outermost: every other middleware reads the body inflated
            DefineMiddleware(BrowserOrBearerMiddleware, exclude=[SCHEMA_PATH], exclude_from_auth_key="public"),
            CsrfMiddleware,
        ],
        exception_handlers={Exception: errors.handle},
        request_class=BodyRequest,
        request_max_body_size=BODY_LIMIT,
        before_send=[security_headers(settings.serving.hsts_max_age_s)],
        response_headers=[ResponseHeader(name="X-Contract-Version", value=CONTRACT_VERSION)],
        openapi_config=openapi_config(),
        response_cache_config=ResponseCacheConfig(),
        logging_config=None,  # `enforce serve` sets up JSON logs (api.observability.logs); Litestar would replace them
        debug=False,
    )
    app.state.settings = settings
    app.asgi_handler = observe_requests(app.asgi_handler, trust_request_id=settings.serving.trust_request_id)
    app.state.console_navigation = collect_menu(app)
    if missing := unguarded_routes(app):
        raise RuntimeError(f"routes without an authorisation rule: {missing}")
    return app
