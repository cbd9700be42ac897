"""The Modelship serving app: one model behind HTTP, configured by environment variables.

Run:   uvicorn serving.app:app --host 0.0.0.0 --port $PORT --workers N --no-access-log --log-level warning
 or:   python -m serving            (the same, reading PORT, WORKERS (auto: the CPU quota), LOG_LEVEL from the environment)

Routes
  GET  /healthz                     200 while the process runs (liveness)
  GET  /readyz                      200 once the model is loaded, 503 before (with the error if loading failed)
  GET  /metrics                     Prometheus text: requests, latency, rows per model call, errors
  POST /predict                     {"instances": [[...], ...]} -> {"predictions": [...], "probabilities": [[...]]}
                                    (KServe V1); also {"data": [...]} for one row, answered with "prediction" too;
                                    ?probabilities=false skips them (a model call and most of the JSON)
  POST /v1/models/{name}:predict    the same, at KServe's V1 path
  GET  /v2/health/live, /v2/health/ready, /v2, /v2/models/{name}, /v2/models/{name}/ready
  POST /v2/models/{name}/infer      the Open Inference Protocol (V2): outputs "predict" and "predict_proba"
  POST /jobs, GET /jobs/{id}        asynchronous batches through Redis (REDIS_URL) and `python -m serving.worker`

Environment
  MODEL_PATH, MODEL_FORMAT, MODEL_FRAMEWORK   the model and how to load it (see adapters.py)
  MODEL_DEF (serving/model_def.py)            your code for weights-only formats: build_model() or load_model(path)
  MODEL_NAME (model), MODEL_VERSION (1)       the names the V2 routes answer to
  MAX_BATCH_SIZE (1024)                       rows one request may carry, and rows per model call
  MAX_BODY_BYTES (10485760)                   request bodies above this get 413 before being read
  RETURN_PROBABILITIES (1)                    the default for ?probabilities= and V2 requests that name no outputs
  DYNAMIC_BATCHING (1)                        merge requests that arrive together into one model call
  INLINE_PREDICT_MS (5)                       model calls faster than this run on the event loop, slower on a thread (0: always a thread)
  EXIT_ON_LOAD_ERROR (1)                      exit with status 3 when the model cannot be loaded
  REDIS_URL, JOB_TTL_SECONDS (86400), MAX_JOB_ROWS (100000)   the job queue
  WORKERS (auto)                              uvicorn processes, each with its own copy of the model; auto: the CPU quota (see __main__.py)
  LOG_LEVEL (warning), DEVICE (auto|cpu|cuda), MODEL_THREADS  logs, placement, framework threads

Design: the body is parsed here (no pydantic), so the same code runs on FastAPI 0.92 + pydantic 1
and on current releases. Model calls happen one at a time per process, and requests that arrive
together are merged into one call, which turns many small requests into a few efficient batches
(see Batcher). Bad input gets a 4xx JSON error {"error": ..., "detail": ...}; a 500 means a fault
on our side and is logged with its traceback.
"""
import asyncio
import collections
import concurrent.futures
import json
import logging
import multiprocessing
import os
import re
import signal
import sys
import tempfile
import threading
import time
import traceback
from contextlib import asynccontextmanager
from urllib.parse import parse_qsl

import numpy as np

try:
    from . import adapters as A
    from . import worker as jobs
except ImportError:  # Run from inside the serving folder (`uvicorn app:app`).
    import adapters as A
    import worker as jobs

MODEL_PATH = os.environ.get("MODEL_PATH", "")
MODEL_FORMAT = os.environ.get("MODEL_FORMAT", "")
MODEL_FRAMEWORK = os.environ.get("MODEL_FRAMEWORK", "")
MODEL_NAME = os.environ.get("MODEL_NAME", "model")
MODEL_VERSION = os.environ.get("MODEL_VERSION", "1")
MAX_BATCH_SIZE = A.env_int("MAX_BATCH_SIZE", 1024)
MAX_BODY_BYTES = A.env_int("MAX_BODY_BYTES", 10485760)  # 10 MiB
MAX_JOB_ROWS = A.env_int("MAX_JOB_ROWS", 100000)
JOB_TTL_SECONDS = A.env_int("JOB_TTL_SECONDS", 86400)
RETURN_PROBABILITIES = A.env_bool("RETURN_PROBABILITIES", True)
DYNAMIC_BATCHING = A.env_bool("DYNAMIC_BATCHING", True)
INLINE_PREDICT_MS = A.env_int("INLINE_PREDICT_MS", 5, minimum=0)
EXIT_ON_LOAD_ERROR = A.env_bool("EXIT_ON_LOAD_ERROR", True)
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
# `python -m serving` replaces WORKERS=auto with the count it chose; under plain `uvicorn --workers`
# the app cannot know it, and only the multiprocess check below needs it.
_WORKERS_RAW = os.environ.get("WORKERS", "").strip().lower()
WORKERS = "auto" if _WORKERS_RAW in ("", "auto") else A.env_int("WORKERS", 1)

# With several uvicorn workers each process counts its own requests; prometheus_client's
# multiprocess mode adds them up, and must be switched on before it is imported. The workers'
# parent (uvicorn's supervisor) names the shared folder.
if WORKERS != 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR") and multiprocessing.parent_process() is not None:
    _metrics_dir = f"/tmp/modelship-metrics-{os.getppid()}"
    os.makedirs(_metrics_dir, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir

# The *_created series double what a scrape carries and say nothing a dashboard uses.
os.environ.setdefault("PROMETHEUS_DISABLE_CREATED_SERIES", "True")

from fastapi import FastAPI  # noqa: E402
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest  # noqa: E402
from starlette.concurrency import run_in_threadpool  # noqa: E402
from starlette.exceptions import HTTPException as StarletteHTTPException  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import Response  # noqa: E402

try:
    import orjson

    loads = orjson.loads

    def dumps(obj):
        return orjson.dumps(obj)

except ImportError:
    loads = json.loads

    def dumps(obj):
        return json.dumps(obj, separators=(",", ":")).encode()


log = A.json_logger("modelship.app")
perf_counter = time.perf_counter
thread_time = time.thread_time
MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))

# Metrics: labels are the route name and the status code only, so cardinality stays small.
_LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_ROW_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096, 16384)
REQUESTS = Counter("modelship_requests_total", "Inference requests by route and HTTP status.", ["route", "code"])
LATENCY = Histogram("modelship_request_duration_seconds", "Time to answer an inference request.", ["route"], buckets=_LATENCY_BUCKETS)
ERRORS = Counter("modelship_errors_total", "Requests answered with an error, by route and reason.", ["route", "reason"])
REQUEST_ROWS = Histogram("modelship_request_rows", "Rows per inference request.", buckets=_ROW_BUCKETS)
BATCH_ROWS = Histogram("modelship_batch_size", "Rows per model call (requests merged by dynamic batching).", buckets=_ROW_BUCKETS)
INFERENCE = Histogram("modelship_inference_duration_seconds", "Time spent in the model per call.", buckets=_LATENCY_BUCKETS)
READY = Gauge("modelship_model_ready", "1 once the model is loaded.", multiprocess_mode="max")
LOAD_SECONDS = Gauge("modelship_model_load_seconds", "Seconds it took to load the model.", multiprocess_mode="max")
INFO = Gauge("modelship_model_info", "The model this server serves.", ["name", "version", "format", "framework"], multiprocess_mode="max")
INFO.labels(MODEL_NAME, MODEL_VERSION, MODEL_FORMAT or "unknown", MODEL_FRAMEWORK or "unknown").set(1)


class ApiError(Exception):
    """An error answer: status, a one-line message, optional detail, and a reason for the metrics."""

    def __init__(self, status, message, detail=None, reason=None, headers=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.detail = detail
        self.reason = reason or {400: "bad_request", 404: "not_found", 413: "too_large", 422: "invalid_input", 503: "not_ready"}.get(status, "error")
        self.headers = headers


def _json(status, body, headers=None):
    return Response(dumps(body), status_code=status, media_type="application/json", headers=headers)


def _error_body(message, detail=None):
    body = {"error": message}
    if detail is not None:
        body["detail"] = detail
    return body


def _input_error(e):
    return ApiError(e.status, e.message, e.detail)


class _State:
    status = "loading"
    adapter = None
    batcher = None
    error = None
    outputs = None  # One Output seen (warm-up or first request), for the V2 metadata.
    store = None


STATE = _State()


# ---------------------------------------------------------------------------------------------
# Model calls: one thread, merging what queued up.
# ---------------------------------------------------------------------------------------------


def _settle(items, results):
    for (_, future, probabilities), result in zip(items, results):
        if future.done():
            continue
        if isinstance(result, BaseException):
            future.set_exception(result)
        else:
            future.set_result(result if probabilities else A.Output(result.predictions, None))


def _call_model(adapter, batches, probabilities):
    """The results, the call's wall time, and the CPU time of the thread that made it."""
    wall, cpu = perf_counter(), thread_time()
    try:
        results = A.predict_together(adapter, batches, probabilities)
    except BaseException as e:  # A bug here must fail these requests, not the server.
        results = [e] * len(batches)
    return results, perf_counter() - wall, thread_time() - cpu


class Batcher:
    """Makes every model call, one at a time, merging requests that arrive together.

    Requests wait in `pending`; each model call takes up to MAX_BATCH_SIZE rows of them. A fast model
    (calls under INLINE_PREDICT_MS on average) runs on the event loop itself: handing calls to a
    thread would make the loop wait for the GIL after every socket write. A slow model runs on one
    worker thread so /healthz keeps answering, and what queues meanwhile becomes its next batch.
    The choice follows the calls' CPU time in the calling thread, which neither another process
    taking the CPU nor the wait for the GIL inflates: measured as wall time, one busy moment on the
    machine moved a 0.1 ms model to the thread, and the GIL hand-offs there kept it from coming back.
    """

    def __init__(self, adapter, loop, max_rows, merge, inline_seconds, first_call_seconds=None):
        self.adapter = adapter
        self.loop = loop
        self.max_rows = max_rows
        self.merge = merge
        self.inline_seconds = inline_seconds
        self.average = first_call_seconds
        self.inline = first_call_seconds is not None and first_call_seconds < inline_seconds
        self.pending = collections.deque()
        self.scheduled = False
        self.busy = False
        self.executor = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="modelship-predict")

    def submit(self, x, probabilities):
        future = self.loop.create_future()
        self.pending.append((x, future, probabilities))
        self._schedule()
        return future

    def _schedule(self):
        if self.pending and not self.scheduled and not self.busy:
            self.scheduled = True
            self.loop.call_soon(self._flush)

    def _take(self):
        items, rows = [], 0
        while self.pending:
            x, future, _ = self.pending[0]
            if future.done():  # The client went away.
                self.pending.popleft()
                continue
            if items and (not self.merge or rows + len(x) > self.max_rows or not A.mergeable(items[0][0], x)):
                break
            items.append(self.pending.popleft())
            rows += len(x)
        return items, rows

    def _flush(self):
        self.scheduled = False
        items, rows = self._take()
        if not items:
            return
        batches = [item[0] for item in items]
        probabilities = any(item[2] for item in items)
        if self.inline:
            self._done(items, rows, _call_model(self.adapter, batches, probabilities))
            return
        self.busy = True
        call = self.loop.run_in_executor(self.executor, _call_model, self.adapter, batches, probabilities)
        call.add_done_callback(lambda f: self._done(items, rows, f.result()))

    def _done(self, items, rows, outcome):
        results, seconds, cpu_seconds = outcome
        self.busy = False
        INFERENCE.observe(seconds)
        BATCH_ROWS.observe(rows)
        self.average = cpu_seconds if self.average is None else 0.8 * self.average + 0.2 * cpu_seconds
        if self.inline and self.average > self.inline_seconds:
            self.inline = False
        elif not self.inline and self.average < self.inline_seconds / 2:
            self.inline = True
        _settle(items, results)
        self._schedule()


async def _infer(x, probabilities):
    try:
        out = await STATE.batcher.submit(x, probabilities)
    except ValueError as e:  # Raised by the model for input it cannot take: the client's to fix.
        detail = e.detail if isinstance(e, A.InputError) else {"message": str(e)[:500]}
        log.debug("model rejected input", extra={"fields": {"error": str(e)[:500]}})
        raise ApiError(422, e.message if isinstance(e, A.InputError) else "the model rejected the input", detail, "model_rejected") from None
    except Exception as e:
        log.error(
            "prediction failed",
            extra={"fields": {"error": f"{type(e).__name__}: {e}", "traceback": "".join(traceback.format_exception(type(e), e, e.__traceback__))}},
        )
        raise ApiError(500, "prediction failed", {"type": type(e).__name__, "message": str(e)[:500]}, "model_error") from None
    if STATE.outputs is None and (probabilities or not RETURN_PROBABILITIES):
        STATE.outputs = out
    return out


# ---------------------------------------------------------------------------------------------
# Start-up: load in the background so /healthz answers at once and /readyz says when it's done.
# ---------------------------------------------------------------------------------------------


def load_failed_mark(supervisor_pid):
    """The file a worker leaves so that its supervisor, stopped by SIGTERM, still exits with status 3."""
    return os.path.join(tempfile.gettempdir(), f"modelship-load-failed-{supervisor_pid}")


def _exit_after_load_error():
    for handler in log.handlers:
        handler.flush()
    if multiprocessing.parent_process() is not None:  # A uvicorn worker: stop the supervisor too.
        try:
            open(load_failed_mark(os.getppid()), "w").close()
        except OSError:
            pass
        os.kill(os.getppid(), signal.SIGTERM)
    os._exit(3)


def _load(loop):
    started = perf_counter()
    A.log_event(
        log, "startup", phase="config", model_path=MODEL_PATH, model_format=MODEL_FORMAT, framework=MODEL_FRAMEWORK,
        model_name=MODEL_NAME, max_batch_size=MAX_BATCH_SIZE, max_body_bytes=MAX_BODY_BYTES, workers=WORKERS,
        dynamic_batching=DYNAMIC_BATCHING, jobs=bool(REDIS_URL), pid=os.getpid(), python=sys.version.split()[0],
    )
    try:
        adapter = A.load_adapter(MODEL_PATH, MODEL_FORMAT, MODEL_FRAMEWORK)
        loaded = perf_counter()
        A.log_event(
            log, "startup", phase="load", seconds=round(loaded - started, 3), platform=adapter.platform,
            row_shape=adapter.row_shape, dtype=adapter.dtype.name, versions=adapter.versions,
        )
        first_call = None
        try:
            STATE.outputs = A.warm_up(adapter)
            if STATE.outputs is not None:
                first_call = perf_counter() - loaded
                A.log_event(log, "startup", phase="warmup", seconds=round(first_call, 3))
        except Exception as e:  # Zeros are not valid input for every model; requests will tell.
            A.log_event(log, "startup", logging.WARNING, phase="warmup", error=f"{type(e).__name__}: {e}")
        batcher = Batcher(adapter, loop, MAX_BATCH_SIZE, DYNAMIC_BATCHING, INLINE_PREDICT_MS / 1000, first_call)
        STATE.adapter, STATE.batcher, STATE.status = adapter, batcher, "ready"
        seconds = perf_counter() - started
        LOAD_SECONDS.set(seconds)
        READY.set(1)
        A.log_event(log, "startup", phase="ready", seconds=round(seconds, 3))
    except BaseException as e:
        STATE.error = str(e) if isinstance(e, A.ModelLoadError) else f"{type(e).__name__}: {e}"
        STATE.status = "failed"
        A.log_event(
            log, "startup", logging.ERROR, phase="failed", error=STATE.error,
            traceback=traceback.format_exc(), exiting=EXIT_ON_LOAD_ERROR,
        )
        if EXIT_ON_LOAD_ERROR:
            _exit_after_load_error()


@asynccontextmanager
async def _lifespan(_app):
    threading.Thread(target=_load, args=(asyncio.get_running_loop(),), name="modelship-load", daemon=True).start()
    yield
    if MULTIPROCESS:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(os.getpid())


class _Server(FastAPI):
    """FastAPI, but POST /predict, the busiest route, goes straight to its endpoint: the middleware
    and route matching around it cost more than a one-row request's own checks, and the endpoint
    answers every error itself (see route())."""

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"] == "/predict" and scope["method"] == "POST":
            scope["app"] = self
            response = await predict(Request(scope, receive, send))
            await response(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


app = _Server(title="Modelship model server", version="1", docs_url="/docs", redoc_url=None)
# Set on the router rather than through FastAPI(lifespan=...), which FastAPI 0.92 lacks.
app.router.lifespan_context = _lifespan


# ---------------------------------------------------------------------------------------------
# Requests.
# ---------------------------------------------------------------------------------------------


def route(name):
    """Wraps an endpoint: JSON errors for ApiError, a logged 500 for anything else, and metrics."""
    counters = {}
    latency = LATENCY.labels(name)

    def decorate(fn):
        async def endpoint(request):
            started = perf_counter()
            try:
                response = await fn(request)
            except ApiError as e:
                ERRORS.labels(name, e.reason).inc()
                response = _json(e.status, _error_body(e.message, e.detail), e.headers)
            except Exception as e:
                ERRORS.labels(name, "internal").inc()
                log.exception("request failed", extra={"fields": {"route": name}})
                response = _json(500, _error_body("internal error", {"type": type(e).__name__}))
            code = response.status_code
            counter = counters.get(code)
            if counter is None:
                counter = counters[code] = REQUESTS.labels(name, str(code))
            counter.inc()
            latency.observe(perf_counter() - started)
            return response

        endpoint.__name__ = fn.__name__
        endpoint.__doc__ = fn.__doc__
        return endpoint

    return decorate


def _adapter():
    if STATE.status == "ready":
        return STATE.adapter
    if STATE.status == "failed":
        raise ApiError(503, "the model failed to load", {"error": STATE.error})
    raise ApiError(503, "the model is still loading; retry when /readyz is 200", headers={"Retry-After": "1"})


async def _read_json(request):
    length = request.headers.get("content-length")
    too_large = "request body is larger than MAX_BODY_BYTES ({} bytes)".format(MAX_BODY_BYTES)
    if length is not None:
        try:
            size = int(length)
        except ValueError:
            raise ApiError(400, "invalid Content-Length header") from None
        if size > MAX_BODY_BYTES:
            raise ApiError(413, too_large, {"bytes": size, "max": MAX_BODY_BYTES})
        body = await request.body()
    else:
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise ApiError(413, too_large, {"max": MAX_BODY_BYTES})
            chunks.append(chunk)
        body = b"".join(chunks)
    if not body:
        raise ApiError(400, "the request body is empty: send JSON")
    try:
        return loads(body)
    except (ValueError, RecursionError) as e:
        raise ApiError(400, "the request body is not valid JSON", {"message": str(e)[:200]}, "bad_json") from None


def _v1_rows(payload):
    """The rows of a V1 request and whether it is the one-row form ({"data": [...]} or a bare row)."""
    if isinstance(payload, dict):
        if "instances" in payload:
            return payload["instances"], False
        if "data" in payload:
            return payload["data"], True
        if isinstance(payload.get("inputs"), list):
            raise ApiError(400, "this looks like an Open Inference Protocol request: POST it to /v2/models/{name}/infer")
        raise ApiError(400, 'expected {"instances": [[...], ...]} or {"data": [...]}', {"keys": sorted(payload)[:10]})
    if isinstance(payload, list):
        return payload, not (payload and isinstance(payload[0], (list, dict)))
    raise ApiError(400, 'expected {"instances": [[...], ...]}', {"got": type(payload).__name__})


def _want_probabilities(request):
    """RETURN_PROBABILITIES, unless the request says ?probabilities=false (or true)."""
    query = request.scope.get("query_string")
    if not query or b"probabilities" not in query:
        return RETURN_PROBABILITIES
    # parse_qsl rather than request.query_params, whose multi-dict costs more than the rest of the
    # query handling; the last value wins, as it does there.
    values = [v for k, v in parse_qsl(query.decode("latin-1"), keep_blank_values=True) if k == "probabilities"]
    if not values:
        return RETURN_PROBABILITIES
    value = values[-1]
    if value.lower() in ("1", "true", "yes"):
        return True
    if value.lower() in ("0", "false", "no"):
        return False
    raise ApiError(400, "probabilities must be true or false", {"probabilities": value})


def _v1_body(out, single):
    body = {"predictions": out.predictions.tolist()}
    if out.probabilities is not None:
        body["probabilities"] = out.probabilities.tolist()
    if single:
        body["prediction"] = body["predictions"]  # What the sample server this replaces answered.
    return body


async def _predict_v1(request):
    adapter = _adapter()
    probabilities = _want_probabilities(request)
    rows, single = _v1_rows(await _read_json(request))
    try:
        x = A.to_batch(rows, adapter, single, MAX_BATCH_SIZE)
    except A.InputError as e:
        raise _input_error(e) from None
    REQUEST_ROWS.observe(len(x))
    return _json(200, _v1_body(await _infer(x, probabilities), single))


@route("predict")
async def predict(request):
    """KServe V1: {"instances": [[...], ...]} -> {"predictions": [...]}."""
    return await _predict_v1(request)


@route("v1")
async def predict_kserve_v1(request):
    _check_model(request.path_params["name"])
    return await _predict_v1(request)


def _check_model(name, version=None):
    if name != MODEL_NAME:
        raise ApiError(404, f"unknown model '{name}'; this server serves '{MODEL_NAME}'", {"models": [MODEL_NAME]})
    if version is not None and version != MODEL_VERSION:
        raise ApiError(404, f"unknown version '{version}' of '{name}'; this server serves version '{MODEL_VERSION}'")


# Open Inference Protocol (V2) datatypes.
_V2_TYPES = {
    "BOOL": np.bool_, "UINT8": np.uint8, "UINT16": np.uint16, "UINT32": np.uint32, "UINT64": np.uint64,
    "INT8": np.int8, "INT16": np.int16, "INT32": np.int32, "INT64": np.int64,
    "FP16": np.float16, "FP32": np.float32, "FP64": np.float64,
}
_V2_NAMES = {np.dtype(t): name for name, t in _V2_TYPES.items()}


def _v2_type(dtype):
    return _V2_NAMES.get(np.dtype(dtype), "BYTES")


def _v2_batch(payload, adapter):
    if not isinstance(payload, dict) or not isinstance(payload.get("inputs"), list) or not payload["inputs"]:
        raise ApiError(400, 'expected {"inputs": [{"name": ..., "shape": [...], "datatype": ..., "data": [...]}]}')
    inputs = payload["inputs"]
    if len(inputs) != 1:
        raise ApiError(422, f"this model takes one input tensor; the request has {len(inputs)}")
    tensor = inputs[0]
    if not isinstance(tensor, dict):
        raise ApiError(400, "each input must be an object with name, shape, datatype and data")
    shape, datatype, data = tensor.get("shape"), tensor.get("datatype"), tensor.get("data")
    if not isinstance(shape, list) or not shape or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
        raise ApiError(400, "input shape must be a list of non-negative integers", {"shape": shape})
    if datatype not in _V2_TYPES:
        raise ApiError(422, f"datatype {datatype!r} is not supported by this model; use one of {', '.join(_V2_TYPES)}")
    if not isinstance(data, list):
        raise ApiError(400, "input data must be a list")
    try:
        x = A.as_numbers(data)
        expected = int(np.prod(shape))
        if x.size != expected:
            raise A.InputError(f"data holds {x.size} values; shape {shape} needs {expected}", {"shape": shape, "values": int(x.size)})
        x = x.reshape(shape).astype(_V2_TYPES[datatype], copy=False)
        if x.ndim == 1:
            x = x.reshape(1, -1)
        return A.fit_to_model(x, adapter, MAX_BATCH_SIZE)
    except A.InputError as e:
        raise _input_error(e) from None


def _v2_requested(payload):
    """The output names a V2 request asks for, or None for the defaults."""
    requested = payload.get("outputs")
    if not requested:
        return None
    if not isinstance(requested, list) or not all(isinstance(o, dict) and isinstance(o.get("name"), str) for o in requested):
        raise ApiError(400, 'outputs must be a list of {"name": ...}')
    names = {o["name"] for o in requested}
    unknown = names - {"predict", "predict_proba"}
    if unknown:
        raise ApiError(400, f"unknown output(s): {', '.join(sorted(unknown))}", {"outputs": ["predict", "predict_proba"]})
    return names


def _v2_outputs(out, names=None):
    outputs = [("predict", out.predictions)]
    if out.probabilities is not None:
        outputs.append(("predict_proba", out.probabilities))
    if names is not None:
        outputs = [(n, a) for n, a in outputs if n in names]
    return [{"name": n, "datatype": _v2_type(a.dtype), "shape": list(a.shape), "data": a.ravel().tolist()} for n, a in outputs]


async def _infer_v2(request, version=None):
    _check_model(request.path_params["name"], version)
    adapter = _adapter()
    payload = await _read_json(request)
    x = _v2_batch(payload, adapter)
    names = _v2_requested(payload)
    REQUEST_ROWS.observe(len(x))
    out = await _infer(x, RETURN_PROBABILITIES if names is None else "predict_proba" in names)
    body = {"model_name": MODEL_NAME, "model_version": MODEL_VERSION, "outputs": _v2_outputs(out, names)}
    if "id" in payload:
        body["id"] = payload["id"]
    return _json(200, body)


@route("v2_infer")
async def infer_v2(request):
    """Open Inference Protocol: POST /v2/models/{name}/infer."""
    return await _infer_v2(request)


@route("v2_infer")
async def infer_v2_version(request):
    return await _infer_v2(request, request.path_params["version"])


async def healthz(request):
    return _json(200, {"status": "ok"})


async def readyz(request):
    if STATE.status == "ready":
        return _json(200, {"status": "ready", "model": MODEL_NAME})
    body = {"status": STATE.status, "model": MODEL_NAME}
    if STATE.error:
        body["error"] = STATE.error
    return _json(503, body)


async def v2_live(request):
    return _json(200, {"live": True})


async def v2_ready(request):
    # The protocol answers "not ready" with a 4xx.
    ready = STATE.status == "ready"
    return _json(200 if ready else 400, {"ready": ready})


async def v2_server(request):
    return _json(200, {"name": "modelship", "version": "1", "extensions": []})


def _model_metadata():
    adapter = STATE.adapter
    body = {"name": MODEL_NAME, "versions": [MODEL_VERSION], "platform": adapter.platform if adapter else MODEL_FRAMEWORK or "unknown"}
    params = {"format": MODEL_FORMAT, "framework": MODEL_FRAMEWORK, "status": STATE.status}
    if adapter is not None:
        shape = adapter.row_shape
        dims = [-1] + ([d if d is not None else -1 for d in shape] if shape is not None else [-1])
        body["inputs"] = [{"name": "input-0", "datatype": _v2_type(adapter.dtype), "shape": dims}]
        if adapter.classes is not None:
            params["classes"] = adapter.classes
        if adapter.columns:
            params["columns"] = adapter.columns
    out = STATE.outputs
    body["outputs"] = [] if out is None else [
        {"name": o["name"], "datatype": o["datatype"], "shape": [-1] + o["shape"][1:]} for o in _v2_outputs(out)
    ]
    body["parameters"] = params
    return body


@route("v2_metadata")
async def v2_model(request):
    _check_model(request.path_params["name"])
    return _json(200, _model_metadata())


@route("v2_metadata")
async def v2_model_ready(request):
    _check_model(request.path_params["name"])
    ready = STATE.status == "ready"
    return _json(200 if ready else 400, {"name": MODEL_NAME, "ready": ready})


@route("v1_metadata")
async def v1_model(request):
    _check_model(request.path_params["name"])
    return _json(200, {"name": MODEL_NAME, "ready": STATE.status == "ready"})


async def metrics(request):
    if MULTIPROCESS:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


# ---------------------------------------------------------------------------------------------
# Jobs: large or slow batches queued in Redis and answered by `python -m serving.worker`.
# ---------------------------------------------------------------------------------------------

_JOB_ID = re.compile(r"^[0-9a-f]{32}$")


def _store():
    if not REDIS_URL:
        raise ApiError(501, "jobs are off: set REDIS_URL and run the worker (python -m serving.worker)", reason="jobs_off")
    if STATE.store is None:
        try:
            STATE.store = jobs.JobStore(REDIS_URL, MODEL_NAME, JOB_TTL_SECONDS)
        except ImportError as e:
            raise ApiError(501, "jobs need the Python package 'redis' in serving/requirements.txt", {"message": str(e)}, "jobs_off") from None
    return STATE.store


async def _redis(fn, *args):
    try:
        return await run_in_threadpool(fn, *args)
    except Exception as e:  # redis.ConnectionError, TimeoutError...: the queue, not the request, is at fault.
        log.warning("job queue unavailable", extra={"fields": {"error": f"{type(e).__name__}: {e}"}})
        raise ApiError(503, "the job queue is unavailable", {"type": type(e).__name__, "message": str(e)[:200]}, "queue_unavailable") from None


@route("jobs")
async def submit_job(request):
    """Queues a batch; answers 202 with the job's id. The worker stores its result for JOB_TTL_SECONDS."""
    store = _store()
    probabilities = _want_probabilities(request)
    rows, single = _v1_rows(await _read_json(request))
    try:
        # Checked now against the model when it is loaded (structure only while it loads).
        x = A.to_batch(rows, STATE.adapter if STATE.status == "ready" else None, single, MAX_JOB_ROWS)
    except A.InputError as e:
        raise _input_error(e) from None
    job_id = await _redis(store.submit, dumps({"rows": rows, "single": single, "probabilities": probabilities}), len(x))
    return _json(202, {"id": job_id, "status": "queued"}, {"Location": f"/jobs/{job_id}"})


@route("jobs")
async def get_job(request):
    """The job's status, and its predictions once done."""
    store = _store()
    job_id = request.path_params["id"]
    job = await _redis(store.get, job_id) if _JOB_ID.match(job_id) else None
    if job is None:
        raise ApiError(404, f"no job '{job_id}' (unknown, or expired after JOB_TTL_SECONDS)")
    return _json(200, job)


# ---------------------------------------------------------------------------------------------
# Wiring. Plain Starlette routes: FastAPI's per-request parameter machinery costs more than the
# model for small requests, and nothing here needs it. /docs describes the routes from OPENAPI.
# ---------------------------------------------------------------------------------------------

ROUTES = [  # Matched in order: the busiest first.
    ("/predict", predict, ["POST"]),
    ("/v2/models/{name}/infer", infer_v2, ["POST"]),
    ("/v1/models/{name}:predict", predict_kserve_v1, ["POST"]),
    ("/healthz", healthz, ["GET"]),
    ("/readyz", readyz, ["GET"]),
    ("/metrics", metrics, ["GET"]),
    ("/v1/models/{name}", v1_model, ["GET"]),
    ("/v2", v2_server, ["GET"]),
    ("/v2/health/live", v2_live, ["GET"]),
    ("/v2/health/ready", v2_ready, ["GET"]),
    ("/v2/models/{name}", v2_model, ["GET"]),
    ("/v2/models/{name}/ready", v2_model_ready, ["GET"]),
    ("/v2/models/{name}/versions/{version}/infer", infer_v2_version, ["POST"]),
    ("/jobs", submit_job, ["POST"]),
    ("/jobs/{id}", get_job, ["GET"]),
]
for _path, _endpoint, _methods in ROUTES:
    app.add_route(_path, _endpoint, methods=_methods)


async def _http_error(request, exc):
    """Unknown paths and wrong methods answer JSON like every other error."""
    return _json(exc.status_code, _error_body(str(exc.detail)), getattr(exc, "headers", None))


app.add_exception_handler(StarletteHTTPException, _http_error)


def _openapi():
    json_body = {"content": {"application/json": {"schema": {"type": "object"}}}}
    answer = {"description": "JSON", **json_body}
    errors = {str(code): {"description": text} for code, text in ((400, "malformed request"), (413, "too large"), (422, "invalid input"), (503, "not ready"))}
    paths = {}
    for path, endpoint, methods in ROUTES:
        for method in methods:
            op = {"summary": (endpoint.__doc__ or endpoint.__name__).strip().splitlines()[0], "responses": {"200": answer}}
            if method == "POST":
                op["requestBody"] = {"required": True, **json_body}
                op["responses"] = {"200": answer, **errors}
            params = re.findall(r"{(\w+)}", path)
            if params:
                op["parameters"] = [{"name": p, "in": "path", "required": True, "schema": {"type": "string"}} for p in params]
            paths.setdefault(path, {})[method.lower()] = op
    return {"openapi": "3.0.2", "info": {"title": app.title, "version": app.version}, "paths": paths}


app.openapi = _openapi
