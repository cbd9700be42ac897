"""Loads models through the generated serving/adapters.py and reports what each answers, or why it
could not load; the node test compares the answers with oracle.py's and checks the messages.

Usage: /usr/bin/python3 test/python/check_adapters.py SERVING_DIR CASES_JSON
CASES_JSON is a list of {"id", "path", "format", "framework", "rows", "env"?, "fake"?}; prints
{id: result}. A case with "fake" loads with fakes/ first on sys.path (see fakes/README.md).
"""
import json
import os
import sys


FAKES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fakes")


def _forget(package):
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        del sys.modules[name]


def main(serving_dir, cases_path):
    sys.path.insert(0, serving_dir)
    import adapters

    with open(cases_path) as f:
        cases = json.load(f)
    results = {}
    for case in cases:
        saved = dict(os.environ)
        os.environ.update(case.get("env", {}))
        fake = case.get("fake")
        if fake:
            _forget(fake)
            sys.path.insert(0, FAKES)
        try:
            adapter = adapters.load_adapter(case["path"], case["format"], case["framework"])
            result = {"platform": adapter.platform, "row_shape": list(adapter.row_shape) if adapter.row_shape else None, "dtype": adapter.dtype.name}
            if case.get("rows") is not None:
                x = adapters.to_batch(case["rows"], adapter)
                out = adapters.predict_together(adapter, [x])[0]
                if isinstance(out, BaseException):
                    raise out
                result["predictions"] = out.predictions.tolist()
                if out.probabilities is not None:
                    result["probabilities"] = out.probabilities.tolist()
                if adapter.classes is not None:
                    result["classes"] = adapter.classes
        except Exception as e:
            result = {"error": type(e).__name__, "message": str(e), "status": getattr(e, "status", None)}
        finally:
            os.environ.clear()
            os.environ.update(saved)
            if fake:
                sys.path.remove(FAKES)
                _forget(fake)
        results[case["id"]] = result
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
