"""What each test model answers in-process, computed the library's own way (not through serving/adapters.py).

Usage: echo '[{"id": "a", "format": "joblib", "path": "m.joblib", "rows": [[...]]}]' | /usr/bin/python3 test/python/oracle.py
prints {"a": {"predictions": [...], "probabilities": [...]}} for estimators, or {"a": {"raw": [...]}} for boosters
and torch modules, whose classifier semantics the test applies itself.
"""
import json
import sys

import numpy as np


def answer(fmt, path, rows):
    if fmt in ("pickle", "joblib"):
        import joblib

        model = joblib.load(path)
        if rows and isinstance(rows[0], dict):
            import pandas as pd

            X = pd.DataFrame.from_records(rows)
        else:
            X = np.asarray(rows, dtype=np.float64)
        out = {"predictions": model.predict(X).tolist()}
        if hasattr(model, "predict_proba"):
            out["probabilities"] = model.predict_proba(X).tolist()
        return out
    if fmt in ("xgboost-json", "xgboost-ubj"):
        import xgboost as xgb

        booster = xgb.Booster()
        booster.load_model(path)
        return {"raw": booster.predict(xgb.DMatrix(np.asarray(rows, dtype=np.float64))).tolist()}
    if fmt in ("torchscript", "pytorch"):
        import torch

        model = torch.jit.load(path) if fmt == "torchscript" else torch.load(path, weights_only=False)
        model.eval()
        with torch.no_grad():
            return {"raw": model(torch.tensor(rows, dtype=torch.float32)).numpy().tolist()}
    raise SystemExit(f"oracle: no reference for format {fmt}")


def main():
    cases = json.load(sys.stdin)
    json.dump({c["id"]: answer(c["format"], c["path"], c["rows"]) for c in cases}, sys.stdout)


if __name__ == "__main__":
    main()
