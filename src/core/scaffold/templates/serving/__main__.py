"""`python -m serving`: the app under uvicorn, configured from the environment.

PORT (8080), WORKERS (1), LOG_LEVEL (warning), HOST (0.0.0.0), KEEP_ALIVE_SECONDS (5). No reload and
no access log: both cost time on every request. Only options uvicorn 0.17 already had are used.
"""
import os


def main():
    import uvicorn

    uvicorn.run(
        f"{__package__ or 'serving'}.app:app",
        host=os.environ.get("HOST", "0.0.0.0"),
        port=int(os.environ.get("PORT", "8080")),
        workers=int(os.environ.get("WORKERS", "1")),
        log_level=os.environ.get("LOG_LEVEL", "warning").lower(),
        access_log=False,
        timeout_keep_alive=int(os.environ.get("KEEP_ALIVE_SECONDS", "5")),
    )


if __name__ == "__main__":
    main()
