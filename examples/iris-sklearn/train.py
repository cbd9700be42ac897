"""Train a small iris classifier and save it with joblib.

    python train.py

Writes model.joblib (a fitted sklearn Pipeline: StandardScaler -> LogisticRegression)
and expected_predictions.json (what the model predicts for sample.json).
Uses the iris data bundled with scikit-learn, so no download is needed.
"""

import json
from pathlib import Path

import joblib
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

HERE = Path(__file__).resolve().parent


def main():
    X, y = load_iris(return_X_y=True)
    model = Pipeline(
        [
            ("scaler", StandardScaler()),
            ("clf", LogisticRegression(max_iter=1000, random_state=0)),
        ]
    )
    model.fit(X, y)
    print(f"training accuracy: {model.score(X, y):.3f}")

    joblib.dump(model, HERE / "model.joblib")

    sample = json.loads((HERE / "sample.json").read_text())
    predictions = model.predict(sample["instances"]).tolist()
    (HERE / "expected_predictions.json").write_text(json.dumps({"predictions": predictions}) + "\n")
    print(f"predictions for sample.json: {predictions}")


if __name__ == "__main__":
    main()
