"""`python -m serving`: the app under uvicorn, configured from the environment.

PORT (8080), WORKERS (auto), LOG_LEVEL (warning), HOST (0.0.0.0), KEEP_ALIVE_SECONDS (5). No reload and
no access log: both cost time on every request. Only options uvicorn 0.17 already had are used.

WORKERS=auto (or unset) runs one process per CPU the container may use: the CPU quota (cgroup v2
`cpu.max`, v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us`, which a Kubernetes CPU limit or
`docker run --cpus` sets), rounded down, at least 1, and never more than the CPUs this process may
run on. A number is taken as is.
"""
import os

CGROUP_ROOT = "/sys/fs/cgroup"


def _read(path):
    try:
        with open(path, encoding="ascii") as f:
            return f.read().strip()
    except (OSError, ValueError):
        return None


def _own_cgroup_v2(root):
    """This process's cgroup v2 folder (the root when the container has its own cgroup namespace)."""
    for line in (_read("/proc/self/cgroup") or "").splitlines():
        if line.startswith("0::"):
            own = os.path.join(root, line[3:].lstrip("/"))
            if os.path.isfile(os.path.join(own, "cpu.max")):
                return own
    return root


def cpu_quota(root=CGROUP_ROOT):
    """CPUs the cgroup quota allows (a float), or None when there is no quota."""
    v2 = _read(os.path.join(_own_cgroup_v2(root), "cpu.max"))
    if v2 is not None:
        parts = v2.split()
        if len(parts) == 2 and parts[0] != "max":
            try:
                quota, period = int(parts[0]), int(parts[1])
            except ValueError:
                return None
            return quota / period if quota > 0 and period > 0 else None
        return None
    for folder in ("cpu", "cpu,cpuacct", "cpuacct,cpu"):
        quota = _read(os.path.join(root, folder, "cpu.cfs_quota_us"))
        period = _read(os.path.join(root, folder, "cpu.cfs_period_us"))
        if quota is None or period is None:
            continue
        try:
            quota, period = int(quota), int(period)
        except ValueError:
            return None
        return quota / period if quota > 0 and period > 0 else None  # -1: no quota.
    return None


def available_cpus():
    """CPUs this process may run on (a cpuset narrows os.cpu_count())."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def worker_count(raw=None, root=CGROUP_ROOT, cpus=None):
    """The uvicorn process count for WORKERS=`raw`: a whole number as given, or auto (see above)."""
    raw = (raw or "").strip().lower()
    if raw and raw != "auto":
        try:
            value = int(raw)
        except ValueError:
            raise SystemExit(f"WORKERS={raw!r} is neither a whole number nor 'auto'") from None
        if value < 1:
            raise SystemExit(f"WORKERS={value} must be at least 1 (or 'auto')")
        return value
    cpus = available_cpus() if cpus is None else cpus
    quota = cpu_quota(root)
    count = cpus if quota is None else min(cpus, int(quota))
    return max(1, count)


def main():
    import uvicorn

    workers = worker_count(os.environ.get("WORKERS"))
    os.environ["WORKERS"] = str(workers)  # What the app logs and reads to count metrics across processes.
    uvicorn.run(
        f"{__package__ or 'serving'}.app:app",
        host=os.environ.get("HOST", "0.0.0.0"),
        port=int(os.environ.get("PORT", "8080")),
        workers=workers,
        log_level=os.environ.get("LOG_LEVEL", "warning").lower(),
        access_log=False,
        timeout_keep_alive=int(os.environ.get("KEEP_ALIVE_SECONDS", "5")),
    )
    # A worker that cannot load the model stops this supervisor with SIGTERM, which uvicorn treats as
    # a clean shutdown: its mark keeps the failure's status 3, so Kubernetes and Docker see a crash.
    import tempfile

    mark = os.path.join(tempfile.gettempdir(), f"modelship-load-failed-{os.getpid()}")
    if os.path.exists(mark):
        os.remove(mark)
        raise SystemExit(3)


if __name__ == "__main__":
    main()
