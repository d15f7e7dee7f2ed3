"""The local engine's HTTP app: the NemoVideo API on loopback, built with FastAPI.

Safety on a local port matters as much as on the internet: any web page the user visits can
send requests to 127.0.0.1. So the Host header must name this machine (DNS rebinding), no
CORS headers are ever sent (browsers then refuse to share responses with other origins),
every request needs a bearer token from the anonymous-token call, and bodies and request
rates are bounded.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import ClientDisconnect
from starlette.responses import Response

from nemodesk import __version__
from nemodesk.engine.server import (
    api_auth,
    api_chat,
    api_local,
    api_preview,
    api_render,
    api_upload,
    deps,
    disk_budget,
)
from nemodesk.engine.server.body_limits import BodyLimits, Pace, limit_for
from nemodesk.engine.server.config import ServerConfig
from nemodesk.engine.server.errors import (
    BAD_REQUEST,
    INTERNAL,
    NOT_FOUND,
    RATE_LIMITED,
    ApiError,
    BodyRefused,
    error_response,
)
from nemodesk.engine.server.jobs import Jobs
from nemodesk.engine.server.store import Store

log = logging.getLogger("nemodesk.engine")
RENDER_PREFIX = "/api/render/"


def create_app(config: ServerConfig, pool: ProcessPoolExecutor | None = None) -> FastAPI:
    """The engine's FastAPI app: the store, jobs and disk budget opened in the lifespan, the
    middleware (trusted hosts, request limits, body limits), the error handlers and the routers.

    Kept as one function (over 60 lines) on purpose: it is the one place that shows the
    order the pieces are wired in — middleware order is behaviour — and each piece it wires
    lives in its own module. ``pool``: worker processes the caller already started (and
    warmed), as ``nemodesk serve`` does before it imports this module.
    """
    config.data_dir.mkdir(parents=True, exist_ok=True)
    config.files_dir.mkdir(parents=True, exist_ok=True)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        store = Store(config.db_path)
        interrupted = store.mark_interrupted()
        if interrupted:
            log.warning(
                "%d render(s) were running when the engine stopped: marked failed", interrupted
            )
        app.state.store = store
        disk = disk_budget.attach(app, store, config)
        app.state.jobs = Jobs(
            config.workers, config.db_path, config.max_jobs_per_client, disk.enforce, pool
        )
        app.state.runs = api_chat.Runs()
        try:
            yield
        finally:
            await app.state.runs.shutdown()
            app.state.jobs.shutdown()
            store.close()

    app = FastAPI(
        title="NemoDesk local engine",
        version=__version__,
        description="The NemoVideo API, served offline by NemoDesk's engine.",
        lifespan=lifespan,
    )
    app.state.config = config
    bucket = deps.RateLimiter(config.rate_per_s)

    def body_limit(path: str, content_type: str):
        return limit_for(path, content_type, config.max_upload_bytes, config.max_json_bytes)

    # innermost of the middlewares: counts what the handlers actually read (chunked too)
    app.add_middleware(BodyLimits, limit=body_limit, pace=Pace.from_env())

    @app.middleware("http")
    async def limits(request: Request, call_next: Callable[[Request], Awaitable[Response]]):
        path = request.url.path
        render = path.startswith(RENDER_PREFIX)
        if not bucket.allow(deps.rate_key(request)):
            return error_response(
                RATE_LIMITED,
                "Too many requests: wait a moment and retry.",
                429,
                render=render,
                headers={"Retry-After": "1"},
            )
        length = request.headers.get("content-length")
        if length is not None:  # a declared size over the limit: refused before reading
            if not length.isdigit():
                return error_response(BAD_REQUEST, "Invalid Content-Length.", 400, render=render)
            limit = body_limit(path, request.headers.get("content-type", ""))
            if int(length) > limit.max_bytes:
                return error_response(
                    limit.code, limit.message, 413, render=render, headers={"Connection": "close"}
                )
        try:
            return await call_next(request)
        except ApiError as e:
            return error_response(
                e.code, e.message, e.http_status, render=render, headers=e.headers
            )
        except BodyRefused as e:
            return error_response(
                e.code, e.message, e.status_code, render=render, headers=e.headers
            )
        except ClientDisconnect:  # BodyLimits logged it in one line; nobody reads an answer
            return Response(status_code=400, headers={"Connection": "close"})
        except Exception:  # the envelope, never a traceback, reaches the client
            log.exception("unhandled error on %s", path)
            return error_response(INTERNAL, "The engine hit an internal error.", 500, render=render)

    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(config.allowed_hosts))

    @app.exception_handler(ApiError)
    async def api_error(request: Request, e: ApiError):
        return error_response(
            e.code,
            e.message,
            e.http_status,
            render=request.url.path.startswith(RENDER_PREFIX),
            headers=e.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, e: RequestValidationError):
        first = e.errors()[0] if e.errors() else {}
        where = ".".join(str(x) for x in first.get("loc", ()) if x != "body")
        message = f"Invalid request: {first.get('msg', 'malformed body')}" + (
            f" ({where})" if where else ""
        )
        return error_response(
            BAD_REQUEST, message, 400, render=request.url.path.startswith(RENDER_PREFIX)
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, e: StarletteHTTPException):
        if isinstance(e, BodyRefused):
            code = e.code
        else:
            code = NOT_FOUND if e.status_code == 404 else BAD_REQUEST
        return error_response(
            code,
            str(e.detail),
            e.status_code,
            render=request.url.path.startswith(RENDER_PREFIX),
            headers=e.headers,
        )

    for module in (api_auth, api_upload, api_chat, api_render, api_local, api_preview):
        app.include_router(module.router)
    return app
