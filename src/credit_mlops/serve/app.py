"""The Starlette application: routes, bearer authentication, body limit, JSON errors.

A request of a few applicants for a model that decided quickly when it was loaded (see
`scorer.warm`) is decided on the event loop (a millisecond or two); anything longer (many
applicants, permutation-sampled reasons, a model busy explaining another request) runs in
Starlette's thread pool, so the event loop keeps taking requests while a model decides.
No response ever carries a traceback: an unexpected error
is logged with its request id and answered with that id only.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from credit_mlops.serve.answers import answers, finite, journal_rows
from credit_mlops.serve.follow import Holder, Served
from credit_mlops.serve.journal import Journal, JournalFailure
from credit_mlops.serve.metrics import Metrics
from credit_mlops.serve.openapi import docs_page, openapi
from credit_mlops.serve.payload import RequestError, json_content, parse, read_body
from credit_mlops.serve.scorer import InvalidApplicants
from credit_mlops.serve.security import OPEN_PATHS, authorised

log = logging.getLogger("credit.serve")


@dataclass(frozen=True)
class Limits:
    reasons: int  # default K
    max_body_bytes: int
    max_applicants: int


@dataclass
class Service:
    holder: Holder
    journal: Journal | None
    metrics: Metrics
    limits: Limits
    token: str | None
    alias: str | None
    poll_seconds: float


def _decide(
    service: Service, served: Served | None, request_id: str, applicants: Any, wait: bool = True
) -> dict[str, Any] | None:
    """The answer to one request from `served` (taken once: the whole request uses this
    version); None when `wait` is False and the model is busy explaining another request."""
    if served is None:
        raise RequestError(503, "no model is loaded yet; see /readyz")
    try:
        out = served.scorer.decide(applicants.frame, applicants.reasons, wait)
    except InvalidApplicants as exc:
        raise RequestError(422, str(exc), exc.column) from None
    if out is None:
        return None
    if not finite(out):  # a model that answers NaN or infinity decides nothing
        log.error("request %s refused: %s", request_id, NOT_A_NUMBER)
        raise RequestError(500, NOT_A_NUMBER)
    if service.journal is not None:  # journaled before the answer leaves
        try:
            service.journal.record(journal_rows(request_id, served, applicants.records, out))
        except JournalFailure as exc:  # no decision without its record: one line, no traceback
            log.error("request %s refused: %s", request_id, unwritable(str(exc)))
            raise RequestError(503, unwritable(str(exc))) from None
    rejected = int(out.reject.sum())
    for outcome, count in (("reject", rejected), ("accept", len(out.reject) - rejected)):
        if count:
            service.metrics.decisions.labels(outcome, served.version).inc(count)
    ref = served.ref
    return {
        "request_id": request_id,
        "model": {"name": ref.name, "version": ref.version, "run_id": ref.run_id},
        "decisions": answers(out),
    }


NOT_A_NUMBER = (
    "the model gave a P(bad) or score that is not a finite number: no decision is made; "
    "train and register the model again"
)


def unwritable(reason: str) -> str:
    return f"the decision journal cannot be written ({reason}): no decision is made"


def _quick(served: Served | None, applicants: Any) -> bool:
    """Whether this request is decided on the event loop: a few applicants, and a model
    whose decision with reasons took a few milliseconds when it was loaded (`warm`).
    Handing a millisecond of work to the thread pool costs more than the work (the GIL
    passes between two threads twice per request)."""
    few = len(applicants.records) <= QUICK_APPLICANTS
    return served is not None and few and (applicants.reasons == 0 or served.scorer.quick)


QUICK_APPLICANTS = 4


async def decisions(request: Request) -> Response:
    service: Service = request.app.state.service
    request_id = uuid.uuid4().hex
    try:
        json_content(request.headers.get("content-type"))
        body = await read_body(request, service.limits.max_body_bytes)
        served = service.holder.current  # once: the whole request uses this version
        default = service.limits.reasons  # serve.reasons, capped to the model's columns
        if served is not None:
            default = min(default, served.scorer.most_reasons)
        applicants = parse(
            body,
            default_reasons=default,
            max_applicants=service.limits.max_applicants,
            query=request.query_params,
        )
        answer = None
        if _quick(served, applicants):  # on the loop, unless it would wait for a lock
            answer = _decide(service, served, request_id, applicants, wait=False)
        if answer is None:
            answer = await run_in_threadpool(_decide, service, served, request_id, applicants)
    except RequestError as exc:
        if exc.status in (400, 422):
            service.metrics.validation_errors.labels(_label(service, exc.column)).inc()
        return JSONResponse({**exc.body(), "request_id": request_id}, status_code=exc.status)
    return JSONResponse(answer)


def _label(service: Service, column: str | None) -> str:
    """A metrics label: a column the served model knows, else "other" (a client's names
    never become label values: the series would grow without bound)."""
    served = service.holder.current
    if column and served is not None and column in served.scorer.known:
        return column
    return "other" if column else ""


def model_info(service: Service) -> dict[str, Any]:
    served, failure = service.holder.current, service.holder.failure
    info: dict[str, Any] = {"target": service.holder.target, "alias": service.alias}
    if served is not None:
        ref, scorer = served.ref, served.scorer
        info.update(
            name=ref.name,
            version=ref.version,
            run_id=ref.run_id,
            uri=ref.uri,
            threshold=scorer.threshold,
            cost_matrix={"accept_bad": scorer.costs[0], "reject_good": scorer.costs[1]},
            description_digest=scorer.description_digest,
            since=served.since,
        )
    info["load_failure"] = None if failure is None else failure.__dict__
    return info


async def model(request: Request) -> Response:
    return JSONResponse(model_info(request.app.state.service))


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """Ready once a model is loaded and while the journal takes writes: a journal that
    cannot be written makes every decision 503, so a load balancer should send none here
    (retried with a blank line on each probe, ready again once one is written)."""
    service: Service = request.app.state.service
    served, failure, journal = service.holder.current, service.holder.failure, service.journal
    stuck = None
    if journal is not None and journal.failure is not None:
        stuck = None if await run_in_threadpool(journal.probe) else journal.failure
    ready = served is not None and stuck is None
    body: dict[str, Any] = {
        "ready": ready,
        "version": served.version if served else None,
        "status": "ready" if failure is None and stuck is None else "degraded",
        "load_failure": None if failure is None else failure.__dict__,
        "journal_failure": None if stuck is None else unwritable(stuck),
    }
    return JSONResponse(body, status_code=200 if ready else 503)


async def metrics(request: Request) -> Response:
    service: Service = request.app.state.service
    data, content_type = await run_in_threadpool(service.metrics.exposition)
    return Response(data, media_type=content_type)


async def openapi_json(request: Request) -> Response:
    return JSONResponse(openapi())


async def docs(request: Request) -> Response:
    return HTMLResponse(docs_page())


class Guard:
    """Bearer authentication, request metrics and the last-resort error answer."""

    def __init__(self, app: ASGIApp, service: Service) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, start, status = scope["path"], time.perf_counter(), [500]
        token = self.service.token
        if token is not None and path not in OPEN_PATHS:
            header = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
            if not authorised(header, token):
                response = JSONResponse(
                    {"error": "a bearer token is required (Authorization: Bearer <token>)"},
                    status_code=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
                await response(scope, receive, send)
                self._count(path, 401, start)
                return

        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception:
            request_id = uuid.uuid4().hex
            log.exception("request %s to %s failed", request_id, path)
            response = JSONResponse(
                {
                    "error": "internal error; the service log has the details",
                    "request_id": request_id,
                },
                status_code=500,
            )
            await response(scope, receive, send)
        finally:
            self._count(path, status[0], start)

    def _count(self, path: str, status: int, start: float) -> None:
        known = path if path in KNOWN_PATHS else "other"  # unknown paths never become labels
        self.service.metrics.requests.labels(known, str(status)).inc()
        self.service.metrics.latency.labels(known).observe(time.perf_counter() - start)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return JSONResponse({"error": exc.detail}, status_code=exc.status_code)


ROUTES = [
    Route("/v1/decisions", decisions, methods=["POST"]),
    Route("/v1/model", model, methods=["GET"]),
    Route("/healthz", healthz, methods=["GET"]),
    Route("/readyz", readyz, methods=["GET"]),
    Route("/metrics", metrics, methods=["GET"]),
    Route("/openapi.json", openapi_json, methods=["GET"]),
    Route("/docs", docs, methods=["GET"]),
]
KNOWN_PATHS = {r.path for r in ROUTES}


def build_app(service: Service) -> Starlette:
    """The application around `service`; the registry is followed while it runs."""
    from collections.abc import AsyncIterator
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        service.holder.follow(service.poll_seconds)
        yield
        service.holder.stop()
        if service.journal is not None:
            service.journal.close()

    app = Starlette(
        routes=ROUTES, lifespan=lifespan, exception_handlers={HTTPException: _http_error}
    )
    app.state.service = service
    app.add_middleware(Guard, service=service)
    return app
