"""Makes the small models the serving-app tests need beyond test/fixtures/models, with the real libraries.

Usage: /usr/bin/python3 test/python/make_models.py OUTDIR   (prints a JSON manifest)

Deterministic (seeded); takes about a second. Each entry says how Modelship would detect the file
(format, framework) and its input width.
"""
import json
import os
import pickle
import sys

import numpy as np


def main(out):
    os.makedirs(out, exist_ok=True)
    manifest = {}
    from sklearn.datasets import load_iris
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import Ridge

    X, y = load_iris(return_X_y=True)
    rf = RandomForestClassifier(n_estimators=10, max_depth=4, random_state=0).fit(X, y)
    with open(os.path.join(out, "rf.pkl"), "wb") as f:
        pickle.dump(rf, f, protocol=5)
    manifest["rf.pkl"] = {"format": "pickle", "framework": "sklearn", "features": 4}

    ridge = Ridge(alpha=1.0).fit(X[:, :3], X[:, 3])
    with open(os.path.join(out, "ridge.pkl"), "wb") as f:
        pickle.dump(ridge, f, protocol=4)
    manifest["ridge.pkl"] = {"format": "pickle", "framework": "sklearn", "features": 3}

    import xgboost as xgb

    rng = np.random.RandomState(0)
    Xb = rng.rand(200, 5)
    yb = (Xb[:, 0] + Xb[:, 3] > 1.0).astype(int)
    params = {"objective": "binary:logistic", "max_depth": 2, "eta": 0.5, "seed": 0, "nthread": 1, "tree_method": "exact"}
    booster = xgb.train(params, xgb.DMatrix(Xb, label=yb), num_boost_round=5)
    booster.save_model(os.path.join(out, "xgb_binary.ubj"))
    manifest["xgb_binary.ubj"] = {"format": "xgboost-ubj", "framework": "xgboost", "features": 5}

    try:
        import pandas as pd
    except ImportError:
        pd = None
    if pd is not None:
        from sklearn.compose import ColumnTransformer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import StandardScaler

        frame = pd.DataFrame(X, columns=["sepal_length", "sepal_width", "petal_length", "petal_width"])
        # Selects columns by name, so it only takes a DataFrame: the adapter must build one.
        by_name = Pipeline([
            ("cols", ColumnTransformer([("scale", StandardScaler(), ["petal_length", "petal_width", "sepal_length"])])),
            ("clf", LogisticRegression(max_iter=1000)),
        ]).fit(frame, y)
        with open(os.path.join(out, "by_name.pkl"), "wb") as f:
            pickle.dump(by_name, f, protocol=5)
        manifest["by_name.pkl"] = {"format": "pickle", "framework": "sklearn", "features": 4}

    json.dump(manifest, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
