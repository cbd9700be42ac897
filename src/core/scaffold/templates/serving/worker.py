"""The batch worker: answers the jobs that `POST /jobs` queued in Redis.

Run:  python -m serving.worker          (or: python serving/worker.py)
      python -m serving.worker --drain  (answer what is queued, then exit: for cron jobs and tests)

It reads the same environment as the app (MODEL_PATH, MODEL_FORMAT, MODEL_FRAMEWORK, MODEL_NAME,
MAX_BATCH_SIZE, RETURN_PROBABILITIES), loads the model once through the same adapter, and then
loops: take up to WORKER_MAX_JOBS queued jobs, predict their rows in model calls of at most
MAX_BATCH_SIZE rows (small jobs share a call), and store each result for JOB_TTL_SECONDS.
SIGTERM finishes the jobs in hand, then exits 0.

Redis layout (per MODEL_NAME, so services can share one Redis):
  modelship:<name>:jobs         list of queued job ids (LPUSH by the app, BRPOP here)
  modelship:<name>:job:<id>     hash: status (queued|running|done|failed), rows, input, result, error
A job is taken at most once: if the worker dies mid-job it stays "running" until it expires.
"""
import json
import logging
import os
import signal
import sys
import threading
import time
import traceback
import uuid

if __package__:
    from . import adapters as A
else:  # `python serving/worker.py`
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import adapters as A


class JobStore:
    """The job queue in Redis, used by the app (submit, get) and by the worker (claim, finish)."""

    def __init__(self, url, name, ttl):
        import redis

        # Reads block for at most the BRPOP timeout plus this margin.
        self.redis = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30)
        self.queue = f"modelship:{name}:jobs"
        self.prefix = f"modelship:{name}:job:"
        self.ttl = ttl

    def submit(self, payload, rows):
        job_id = uuid.uuid4().hex
        key = self.prefix + job_id
        pipe = self.redis.pipeline()
        pipe.hset(key, mapping={"status": "queued", "rows": rows, "input": payload, "created": repr(time.time())})
        pipe.expire(key, self.ttl)
        pipe.lpush(self.queue, job_id)
        pipe.execute()
        return job_id

    def get(self, job_id):
        status, rows, result, error = self.redis.hmget(self.prefix + job_id, "status", "rows", "result", "error")
        if status is None:
            return None
        job = {"id": job_id, "status": status.decode(), "rows": int(rows or 0)}
        if result:
            job.update(json.loads(result))
        if error:
            job.update(json.loads(error))
        return job

    def claim(self, max_jobs, timeout):
        """Up to max_jobs queued ids, oldest first, waiting at most timeout seconds for the first."""
        first = self.redis.brpop(self.queue, timeout=timeout)
        if first is None:
            return []
        ids = [first[1]]
        while len(ids) < max_jobs:
            more = self.redis.rpop(self.queue)
            if more is None:
                break
            ids.append(more)
        return [i.decode() for i in ids]

    def start(self, job_id):
        """Marks the job running and returns its input, or None when it expired meanwhile."""
        key = self.prefix + job_id
        pipe = self.redis.pipeline()
        pipe.hget(key, "input")
        pipe.hset(key, mapping={"status": "running", "started": repr(time.time())})
        payload, _ = pipe.execute()
        if payload is None:
            self.redis.delete(key)  # Expired before we got to it; don't leave a stub behind.
        return payload

    def _end(self, job_id, status, field, value):
        key = self.prefix + job_id
        pipe = self.redis.pipeline()
        pipe.hset(key, mapping={"status": status, field: value, "finished": repr(time.time())})
        pipe.hdel(key, "input")
        pipe.expire(key, self.ttl)
        pipe.execute()

    def finish(self, job_id, result):
        self._end(job_id, "done", "result", json.dumps(result, separators=(",", ":")))

    def fail(self, job_id, message, detail=None):
        error = {"error": message}
        if detail is not None:
            error["detail"] = detail
        self._end(job_id, "failed", "error", json.dumps(error))


def _chunked(adapter, x, max_rows, probabilities):
    """A job larger than one model call, predicted in slices and put back together."""
    parts = []
    for start in range(0, len(x), max_rows):
        result = A.predict_together(adapter, [x[start:start + max_rows]], probabilities)[0]
        if isinstance(result, BaseException):
            return result
        parts.append(result)
    import numpy as np

    probs = None if parts[0].probabilities is None else np.concatenate([p.probabilities for p in parts])
    return A.Output(np.concatenate([p.predictions for p in parts]), probs)


def predict_jobs(adapter, batches, max_rows, probabilities=True):
    """Predicts several jobs' batches in calls of at most max_rows rows; an Output or exception per job."""
    results = [None] * len(batches)
    group, members, rows = [], [], 0

    def flush():
        for i, result in zip(members, A.predict_together(adapter, group, probabilities)):
            results[i] = result
        del group[:], members[:]

    for i, x in enumerate(batches):
        if len(x) > max_rows:
            results[i] = _chunked(adapter, x, max_rows, probabilities)
            continue
        if group and (rows + len(x) > max_rows or not A.mergeable(group[0], x)):
            flush()
            rows = 0
        group.append(x)
        members.append(i)
        rows += len(x)
    if group:
        flush()
    return results


def _result(out, probabilities):
    body = {"predictions": out.predictions.tolist()}
    if probabilities and out.probabilities is not None:
        body["probabilities"] = out.probabilities.tolist()
    return body


def work_once(store, adapter, max_rows, max_jobs, log, default_probabilities=True, timeout=1):
    """Takes and answers one round of jobs; returns how many it took."""
    ids = store.claim(max_jobs, timeout)
    taken = []
    for job_id in ids:
        payload = store.start(job_id)
        if payload is None:
            continue
        try:
            job = json.loads(payload)
            wants = bool(job.get("probabilities", default_probabilities))
            taken.append((job_id, A.to_batch(job["rows"], adapter, bool(job.get("single"))), wants))
        except A.InputError as e:
            store.fail(job_id, e.message, e.detail)
        except (ValueError, KeyError, TypeError) as e:
            store.fail(job_id, "unreadable job input", {"message": str(e)[:200]})
    if taken:
        started = time.perf_counter()
        results = predict_jobs(adapter, [x for _, x, _ in taken], max_rows, any(w for _, _, w in taken))
        for (job_id, _, wants), result in zip(taken, results):
            if isinstance(result, ValueError):
                store.fail(job_id, "the model rejected the input", {"message": str(result)[:500]})
            elif isinstance(result, BaseException):
                A.log_event(log, "job", logging.ERROR, job=job_id, error=f"{type(result).__name__}: {result}",
                            traceback="".join(traceback.format_exception(type(result), result, result.__traceback__)))
                store.fail(job_id, "prediction failed", {"type": type(result).__name__, "message": str(result)[:500]})
            else:
                store.finish(job_id, _result(result, wants))
        A.log_event(log, "batch", logging.DEBUG, jobs=len(taken), rows=sum(len(x) for _, x, _ in taken),
                    seconds=round(time.perf_counter() - started, 4))
    return len(ids)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    drain = "--drain" in argv
    log = A.json_logger("modelship.worker")
    url = os.environ.get("REDIS_URL", "").strip()
    if not url:
        A.log_event(log, "startup", logging.ERROR, phase="failed", error="REDIS_URL is not set")
        return 2
    name = os.environ.get("MODEL_NAME", "model")
    max_rows = A.env_int("MAX_BATCH_SIZE", 1024)
    max_jobs = A.env_int("WORKER_MAX_JOBS", 64)
    ttl = A.env_int("JOB_TTL_SECONDS", 86400)
    probabilities = A.env_bool("RETURN_PROBABILITIES", True)
    A.log_event(log, "startup", phase="config", model_path=os.environ.get("MODEL_PATH", ""), model_name=name,
                max_batch_size=max_rows, max_jobs=max_jobs, drain=drain, pid=os.getpid())
    started = time.perf_counter()
    try:
        adapter = A.load_adapter(os.environ.get("MODEL_PATH", ""), os.environ.get("MODEL_FORMAT", ""), os.environ.get("MODEL_FRAMEWORK", ""))
        store = JobStore(url, name, ttl)
        store.redis.ping()
    except Exception as e:
        A.log_event(log, "startup", logging.ERROR, phase="failed", error=f"{type(e).__name__}: {e}", traceback=traceback.format_exc())
        return 3
    A.log_event(log, "startup", phase="ready", seconds=round(time.perf_counter() - started, 3), platform=adapter.platform)

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.is_set():
        try:
            taken = work_once(store, adapter, max_rows, max_jobs, log, probabilities)
        except Exception as e:  # Redis restarting, a network blip: log, wait, go on.
            A.log_event(log, "queue", logging.WARNING, error=f"{type(e).__name__}: {e}")
            stop.wait(1)
            continue
        if drain and taken == 0:
            break
    A.log_event(log, "shutdown", reason="drained" if drain and not stop.is_set() else "signal")
    return 0


if __name__ == "__main__":
    sys.exit(main())
