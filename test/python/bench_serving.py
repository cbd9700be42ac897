"""Throughput of the generated server against the naive sample server it replaces, over loopback.

Usage: /usr/bin/python3 test/python/bench_serving.py [--seconds 4] [--repeat 3] [--model PATH] [--variants]

Serves one scikit-learn model three ways and loads each with wrk (keep-alive, one client thread):
  in-process   model.predict on the same batches, no HTTP (the ceiling)
  sample       the FastAPI sample server from the course notes (one row per call, pydantic, a dict reply)
  generated    serving/app.py from src/core/scaffold/templates, with the spec's defaults
For each it prints rows/s by the wall clock and by the server's own CPU time (user + sys from
/proc), which moves far less than the wall clock on a shared machine. Runs are interleaved and
the median is reported. --variants adds a server with DYNAMIC_BATCHING=0.
"""
import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TEMPLATES = os.path.join(REPO, "src", "core", "scaffold", "templates", "serving")
TICK = os.sysconf("SC_CLK_TCK")

SAMPLE_SERVER = '''from fastapi import FastAPI
import joblib
import numpy as np
app = FastAPI()
model = joblib.load("model.pkl")
@app.post("/predict")
def predict(data: list):
    features = np.array(data).reshape(1, -1)
    prediction = model.predict(features)
    return {"prediction": prediction.tolist()}
'''

WRK_SCRIPT = '''wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open(os.getenv("BODY"), "r"); wrk.body = f:read("*a"); f:close()
'''


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def start(cmd, cwd, env, port, ready_path):
    proc = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{ready_path}", timeout=1)
            return proc
        except Exception:
            time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    raise SystemExit(f"{' '.join(cmd)} did not start")


def wrk(port, path, body_file, conc, seconds, lua):
    out = subprocess.run(
        ["wrk", "-t1", f"-c{conc}", f"-d{seconds}s", "-s", lua, f"http://127.0.0.1:{port}{path}"],
        env={**os.environ, "BODY": body_file}, capture_output=True, text=True, check=True,
    ).stdout
    rps = float(next(line for line in out.splitlines() if "Requests/sec" in line).split()[1])
    if "Non-2xx" in out:
        raise SystemExit(f"errors under load:\n{out}")
    return rps


def in_process(model_path, rows, seconds):
    """Rows/s of predict (and predict + predict_proba) on the same batches, wall and CPU."""
    code = f'''
import joblib, numpy as np, time, json
m = joblib.load({model_path!r})
x = np.asarray({rows!r}, dtype=np.float64)
out = {{}}
for name, f in (("predict", lambda: m.predict(x)), ("predict+proba", lambda: (m.predict(x), m.predict_proba(x)))):
    f(); n = 0; w = time.perf_counter(); c = time.process_time()
    while time.perf_counter() - w < {seconds}:
        f(); n += 1
    out[name] = [n * len(x) / (time.perf_counter() - w), n * len(x) / (time.process_time() - c)]
print(json.dumps(out))
'''
    return json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env={**os.environ, "OMP_NUM_THREADS": "1"}).stdout)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--model", default=os.path.join(REPO, "test", "fixtures", "models", "sklearn_pipeline.joblib"))
    parser.add_argument("--variants", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("needs wrk (apt-get install wrk)")

    work = tempfile.mkdtemp(prefix="ms-bench-")
    try:
        shutil.copy(args.model, os.path.join(work, "model.pkl"))
        with open(os.path.join(work, "sample.py"), "w") as f:
            f.write(SAMPLE_SERVER)
        shutil.copytree(TEMPLATES, os.path.join(work, "serving"), ignore=shutil.ignore_patterns("__pycache__"))
        lua = os.path.join(work, "post.lua")
        with open(lua, "w") as f:
            f.write(WRK_SCRIPT)
        rng = random.Random(0)
        batch = [[round(rng.uniform(0.1, 7.9), 1) for _ in range(4)] for _ in range(64)]
        bodies = {}
        for name, payload in (("sample-1", batch[0]), ("v1-1", {"instances": batch[:1]}), ("v1-64", {"instances": batch})):
            bodies[name] = os.path.join(work, f"{name}.json")
            with open(bodies[name], "w") as f:
                json.dump(payload, f)

        uvicorn = [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--no-access-log", "--log-level", "warning"]
        env = {"MODEL_PATH": os.path.join(work, "model.pkl"), "MODEL_FORMAT": "joblib", "MODEL_FRAMEWORK": "sklearn", "MODEL_NAME": "bench", "OMP_NUM_THREADS": "1"}
        servers = [("sample", ["sample:app"], {}, "/docs", [("sample-1", 1, "/predict")])]
        generated = [("v1-1", 1, "/predict"), ("v1-64", 64, "/predict"), ("v1-64", 64, "/predict?probabilities=false")]
        servers.append(("generated", ["serving.app:app"], env, "/readyz", generated))
        if args.variants:
            servers.append(("generated DYNAMIC_BATCHING=0", ["serving.app:app"], {**env, "DYNAMIC_BATCHING": "0"}, "/readyz", generated))

        results = {}
        for _ in range(args.repeat):
            for port, (name, target, server_env, ready, loads) in enumerate(servers, start=18700):
                proc = start(uvicorn + target + ["--port", str(port)], work, server_env, port, ready)
                try:
                    for body, rows, path in loads:
                        for conc in (8, 32):
                            wrk(port, path, bodies[body], conc, 1, lua)  # Warm up.
                            cpu = cpu_seconds(proc.pid)
                            rps = wrk(port, path, bodies[body], conc, args.seconds, lua)
                            per_request = (cpu_seconds(proc.pid) - cpu) / (rps * args.seconds)
                            label = name + (" " + path.split("?")[1] if "?" in path else "")
                            results.setdefault((label, rows, conc), []).append((rps * rows, rows / per_request))
                finally:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()

        ref = in_process(os.path.join(work, "model.pkl"), batch, args.seconds)
        print(f"{'server':44s} {'rows/req':>8s} {'conns':>5s} {'rows/s (wall)':>14s} {'rows/s (server CPU)':>20s}")
        for (name, rows, conc), runs in results.items():
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            print(f"{name:44s} {rows:8d} {conc:5d} {wall:14,.0f} {cpu:20,.0f}")
        for name, (wall, cpu) in ref.items():
            print(f"{'in-process ' + name:44s} {64:8d} {'-':>5s} {wall:14,.0f} {cpu:20,.0f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
