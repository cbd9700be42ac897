"""A stand-in CatBoost multiclass model over 4 features: class = argmax of the first three columns."""
import numpy as np

__version__ = "0.0-fake"


class CatBoost:
    def load_model(self, path):
        self.feature_names_ = ["a", "b", "c", "d"]
        return self

    def get_all_params(self):
        return {"loss_function": "MultiClass"}

    def predict(self, x, prediction_type="RawFormulaVal"):
        top = np.argmax(np.asarray(x)[:, :3], axis=1)
        if prediction_type == "Class":
            return top.reshape(-1, 1)
        if prediction_type == "Probability":
            return np.array([[0.5 if k == t else 0.25 for k in range(3)] for t in top])
        return np.asarray(x)[:, :3]
