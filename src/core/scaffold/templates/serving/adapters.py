"""Model adapters for the Modelship serving app: one loader per model format, and the input checks.

Every adapter turns a validated batch (rows first) into an `Output`: `predictions`, one entry per
row, and for classifiers that expose them `probabilities` (rows x classes). The HTTP app, the job
worker and the tests load models through `load_adapter` and convert requests through `to_batch`,
so all three agree on what a model accepts and answers.

Safety: loading a pickle, a joblib file or a whole pickled PyTorch module runs code stored in the
file. Serve only models you trust. Formats that hold weights only (safetensors, a PyTorch
state_dict, Keras weights) need the model's code: put `model_def.py` next to this file with
`build_model()` returning the untrained model, or `load_model(path)` to load it yourself.

This module imports only the standard library and NumPy at import time; each framework is imported
by its own loader, so a missing package is reported as a clear startup error.
"""
import datetime
import importlib
import importlib.util
import json
import logging
import math
import os
import sys
import threading
import warnings
import zipfile
from collections import namedtuple

import numpy as np

Output = namedtuple("Output", ["predictions", "probabilities"])
Output.__doc__ = "What a model answered: predictions (one per row) and probabilities (rows x classes) or None."

HERE = os.path.dirname(os.path.abspath(__file__))


class ModelLoadError(RuntimeError):
    """The model cannot be served as configured; the message says what to do."""


class InputError(ValueError):
    """The request's data cannot be fed to the model. `status` is the HTTP status to answer."""

    def __init__(self, message, detail=None, status=422):
        super().__init__(message)
        self.message = message
        self.detail = detail
        self.status = status


# ---------------------------------------------------------------------------------------------
# Settings and logs shared by the app and the worker.
# ---------------------------------------------------------------------------------------------


def env_int(name, default, minimum=1):
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise SystemExit(f"{name}={value} must be at least {minimum}")
    return value


def env_bool(name, default):
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SystemExit(f"{name}={raw!r} is not a boolean (use 1 or 0)")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: easy to grep locally and to parse in a log pipeline."""

    def format(self, record):
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def json_logger(name):
    """A logger writing JSON lines to stderr. It logs INFO (the startup phases) even at the default
    LOG_LEVEL=warning, which quiets uvicorn; LOG_LEVEL=error or critical quiets it too."""
    logger = logging.getLogger(name)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
        logger.propagate = False
    level = logging.getLevelName(os.environ.get("LOG_LEVEL", "warning").upper())
    if not isinstance(level, int):
        level = logging.INFO
    logger.setLevel(level if level >= logging.ERROR else min(level, logging.INFO))
    return logger


def log_event(logger, event, level=logging.INFO, **fields):
    logger.log(level, event, extra={"fields": dict(event=event, **fields)})


def cpu_threads():
    """Threads a framework should use: MODEL_THREADS, else the container's CPU quota, else None.

    Frameworks size their thread pools from the host's cores, which oversubscribes a container
    limited to a few CPUs and makes every call slower.
    """
    raw = os.environ.get("MODEL_THREADS", "").strip()
    if raw:
        return max(1, int(raw))
    if os.environ.get("OMP_NUM_THREADS", "").strip():
        return None  # The frameworks read it themselves.
    try:
        with open("/sys/fs/cgroup/cpu.max") as f:  # cgroup v2
            quota, period = f.read().split()[:2]
        if quota != "max":
            return max(1, math.ceil(int(quota) / int(period)))
    except (OSError, ValueError):
        pass
    try:
        with open("/sys/fs/cgroup/cpu/cpu.cfs_quota_us") as f:  # cgroup v1
            quota = int(f.read())
        with open("/sys/fs/cgroup/cpu/cpu.cfs_period_us") as f:
            period = int(f.read())
        if quota > 0:
            return max(1, math.ceil(quota / period))
    except (OSError, ValueError):
        pass
    return None


def _import(module, what):
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise ModelLoadError(
            f"{what} needs the Python package '{module.split('.')[0]}', which is not installed ({e}). "
            "Add it to serving/requirements.txt and rebuild the image."
        ) from e


# ---------------------------------------------------------------------------------------------
# Adapters.
# ---------------------------------------------------------------------------------------------


class Adapter:
    """Base adapter. Subclasses set the attributes and implement `predict(x) -> Output`."""

    platform = "unknown"
    #: NumPy dtype the model takes; requests are converted to it.
    dtype = np.dtype(np.float64)
    #: Shape of one row (None for a dimension the model does not state), or None when unknown.
    row_shape = None
    #: Class labels in probability-column order, when known.
    classes = None
    #: Column names the model was fitted with (scikit-learn `feature_names_in_`), when known.
    columns = None
    #: Library versions worth logging.
    versions = {}

    def predict(self, x, probabilities=True):
        """An Output for batch x; `probabilities=False` lets an adapter skip computing them."""
        raise NotImplementedError

    def from_records(self, records):
        """Rows given as objects (`{"col": value}`) become rows of numbers in the model's column order."""
        if not self.columns:
            raise InputError("this model takes rows of numbers, not objects: send [[1.0, 2.0, ...], ...]")
        names = self.columns
        known = set(names)
        rows = []
        for i, record in enumerate(records):
            if not isinstance(record, dict):
                raise InputError("mix of objects and lists in instances", {"row": i})
            missing = [c for c in names if c not in record]
            extra = sorted(k for k in record if k not in known)
            if missing or extra:
                raise InputError("instance columns do not match the model's", {"row": i, "missing": missing, "unknown": extra})
            rows.append([record[c] for c in names])
        return rows


_threads_without_scans = threading.local()


def _skip_finite_checks(sklearn):
    """scikit-learn's assume_finite for this thread (its configuration is per thread)."""
    if not getattr(_threads_without_scans, "on", False):
        sklearn.set_config(assume_finite=True)
        _threads_without_scans.on = True


def _finite(a):
    """Whether a NumPy array holds no NaN or infinity (anything else: not known to)."""
    if not isinstance(a, np.ndarray):
        return False
    kind = a.dtype.kind
    return kind in "biu" or (kind in "fc" and bool(np.isfinite(a).all()))


def _pipeline_split(model):
    """(transforms, final estimator) of a scikit-learn Pipeline ending in a classifier, else None."""
    pipeline = getattr(sys.modules.get("sklearn.pipeline"), "Pipeline", None)
    if pipeline is None or type(model) is not pipeline:  # A subclass may predict its own way.
        return None
    try:
        steps = model.steps
        final = steps[-1][1]
        if len(steps) < 2 or not hasattr(final, "predict_proba") or not hasattr(final, "predict"):
            return None
        return model[:-1], final
    except Exception:  # An older or unusual Pipeline: call it whole.
        return None


class EstimatorAdapter(Adapter):
    """Anything with scikit-learn's `predict` (and optionally `predict_proba`): scikit-learn,
    XGBoost's and LightGBM's scikit-learn wrappers, statsmodels results, custom classes."""

    platform = "sklearn"

    def __init__(self, model):
        self.model = model
        self._predict = model.predict
        self._proba = getattr(model, "predict_proba", None)
        self._split = _pipeline_split(model)
        width = getattr(model, "n_features_in_", None)
        self.row_shape = (int(width),) if isinstance(width, (int, np.integer)) else None
        classes = getattr(model, "classes_", None)
        self.classes = np.asarray(classes).tolist() if classes is not None else None
        names = getattr(model, "feature_names_in_", None)
        self.columns = [str(n) for n in names] if names is not None else None
        self.frame = False
        self.versions = _versions(type(model).__module__.split(".")[0])
        if self.columns:
            # Fitted on a DataFrame: plain rows in the same column order are fine, so hush the
            # per-call warning; models that select columns by name need a DataFrame (checked below).
            warnings.filterwarnings("ignore", message="X does not have valid feature names")
            self.frame = self._needs_frame()

    def _needs_frame(self):
        try:
            import pandas  # noqa: F401
        except ImportError:
            return False
        try:
            self._predict(np.zeros((1, len(self.columns))))
        except Exception as e:  # A probe: any failure that mentions DataFrames means "columns by name".
            return "dataframe" in str(e).lower()
        return False

    def from_records(self, records):
        if not self.frame:
            return super().from_records(records)
        super().from_records(records)  # Checks the columns.
        import pandas as pd

        return pd.DataFrame.from_records(records, columns=self.columns)

    def _run(self, x, probabilities):
        if probabilities and self._proba is not None and self._split is not None:
            # A pipeline asked for both: its transforms run once, as Pipeline.predict would run them.
            head, final = self._split
            xt = head.transform(x)
            return Output(np.asarray(final.predict(xt)), np.asarray(final.predict_proba(xt)))
        predictions = np.asarray(self._predict(x))
        probs = np.asarray(self._proba(x)) if probabilities and self._proba is not None else None
        return Output(predictions, probs)

    def predict(self, x, probabilities=True):
        if self.frame and isinstance(x, np.ndarray):
            import pandas as pd

            x = pd.DataFrame(x, columns=self.columns)
        sklearn = sys.modules.get("sklearn")
        if sklearn is None:
            return self._run(x, probabilities)
        # scikit-learn scans every array for NaN and infinity at each step of a pipeline, once per
        # predict and once per predict_proba: most of a one-row call. Input just found finite skips
        # the scans; other input, and an answer that is not finite (an overflow inside the
        # pipeline), go through them, so the model fails or answers exactly as it would.
        if _finite(x):
            _skip_finite_checks(sklearn)
            out = self._run(x, probabilities)
            if _finite(out.predictions) and (out.probabilities is None or _finite(out.probabilities)):
                return out
        if not getattr(_threads_without_scans, "on", False):
            return self._run(x, probabilities)
        with sklearn.config_context(assume_finite=False):
            return self._run(x, probabilities)


class CallableAdapter(Adapter):
    """A plain function (from `model_def.load_model`) called with the batch."""

    platform = "python"

    def __init__(self, fn):
        self.fn = fn

    def predict(self, x, probabilities=True):
        return Output(np.asarray(self.fn(x)), None)


def _versions(*modules):
    found = {}
    for name in modules:
        module = sys.modules.get(name)
        version = getattr(module, "__version__", None)
        if version:
            found[name] = str(version)
    return found


def _classifier_output(raw, objective_kind):
    """Booster outputs to (predictions, probabilities) as the libraries' own classifiers define them."""
    if objective_kind == "multiclass":
        return Output(raw.argmax(axis=1), raw)
    if objective_kind == "binary":
        # XGBClassifier and LGBMClassifier both predict class 1 when its probability is above 0.5.
        return Output((raw > 0.5).astype(np.int64), np.stack([1.0 - raw, raw], axis=1))
    if objective_kind == "label":
        return Output(raw.astype(np.int64), None)
    return Output(raw, None)


class XGBoostAdapter(Adapter):
    """XGBoost's native format (`Booster.save_model` to .json or .ubj)."""

    platform = "xgboost"
    dtype = np.dtype(np.float32)

    def __init__(self, path):
        xgb = _import("xgboost", "An XGBoost model")
        self.booster = xgb.Booster()
        self.booster.load_model(path)
        threads = cpu_threads()
        if threads:
            self.booster.set_param({"nthread": threads})
        self.row_shape = (self.booster.num_features(),)
        objective = json.loads(self.booster.save_config())["learner"]["objective"]["name"]
        self.objective = objective
        kinds = {"multi:softprob": "multiclass", "binary:logistic": "binary", "multi:softmax": "label", "binary:hinge": "label"}
        self.kind = kinds.get(objective, "raw")
        self._dmatrix = xgb.DMatrix
        self._inplace = getattr(self.booster, "inplace_predict", None)
        self.versions = {"xgboost": xgb.__version__}

    def predict(self, x, probabilities=True):
        # inplace_predict skips building a DMatrix and gives the same numbers (checked by the tests).
        raw = self._inplace(x) if self._inplace is not None else self.booster.predict(self._dmatrix(x))
        return _classifier_output(raw, self.kind)


def _lightgbm_objective(path):
    with open(path, "r", errors="replace") as f:
        for _, line in zip(range(1000), f):
            if line.startswith("objective="):
                return line[len("objective="):].split()[0]
            if line.startswith("Tree="):
                break
    return "regression"


class LightGBMAdapter(Adapter):
    """LightGBM's text model (`Booster.save_model`)."""

    platform = "lightgbm"

    def __init__(self, path):
        objective = _lightgbm_objective(path)
        lgb = _import("lightgbm", "A LightGBM model")
        self.booster = lgb.Booster(model_file=path)
        self.row_shape = (self.booster.num_feature(),)
        if objective.startswith(("multiclass", "softmax", "multiclassova")):
            self.kind = "multiclass"
        elif objective.startswith(("binary", "cross_entropy", "xentropy")):
            self.kind = "binary"
        else:
            self.kind = "raw"
        self.threads = cpu_threads()
        self.versions = {"lightgbm": lgb.__version__}

    def predict(self, x, probabilities=True):
        kwargs = {"num_threads": self.threads} if self.threads else {}
        return _classifier_output(np.asarray(self.booster.predict(x, **kwargs)), self.kind)


_ONNX_TYPES = {
    "tensor(float)": np.float32, "tensor(double)": np.float64, "tensor(float16)": np.float16,
    "tensor(int64)": np.int64, "tensor(int32)": np.int32, "tensor(int16)": np.int16, "tensor(int8)": np.int8,
    "tensor(uint8)": np.uint8, "tensor(bool)": np.bool_,
}


class OnnxAdapter(Adapter):
    """ONNX through ONNX Runtime; input name, type and shape come from the session."""

    platform = "onnxruntime_onnx"

    def __init__(self, path):
        ort = _import("onnxruntime", "An ONNX model")
        options = ort.SessionOptions()
        threads = cpu_threads()
        if threads:
            options.intra_op_num_threads = threads
        available = ort.get_available_providers()
        wanted = ["CPUExecutionProvider"]
        if os.environ.get("DEVICE", "auto").lower() != "cpu" and "CUDAExecutionProvider" in available:
            wanted.insert(0, "CUDAExecutionProvider")
        self.session = ort.InferenceSession(path, sess_options=options, providers=wanted)
        inputs = self.session.get_inputs()
        if len(inputs) != 1:
            names = ", ".join(i.name for i in inputs)
            raise ModelLoadError(
                f"this ONNX model takes {len(inputs)} inputs ({names}); the generated server feeds one. "
                "Add serving/model_def.py with load_model(path) returning a function of the batch."
            )
        self.input = inputs[0]
        if self.input.type not in _ONNX_TYPES:
            raise ModelLoadError(f"the ONNX model's input '{self.input.name}' is {self.input.type}; the server sends numbers")
        self.dtype = np.dtype(_ONNX_TYPES[self.input.type])
        shape = list(self.input.shape or [])
        self.row_shape = tuple(d if isinstance(d, int) and d > 0 else None for d in shape[1:]) if shape else None
        self.outputs = [o.name for o in self.session.get_outputs()]
        self.has_probabilities = len(self.outputs) > 1 and "prob" in self.outputs[1].lower()
        self.versions = {"onnxruntime": ort.__version__}
        try:  # The exceptions ONNX Runtime raises for inputs it cannot take.
            state = importlib.import_module("onnxruntime.capi.onnxruntime_pybind11_state")
            self._errors = tuple(getattr(state, n) for n in ("InvalidArgument", "Fail") if hasattr(state, n))
        except ImportError:
            self._errors = ()

    def predict(self, x, probabilities=True):
        wanted = self.outputs[:2] if probabilities and self.has_probabilities else self.outputs[:1]
        try:
            results = self.session.run(wanted, {self.input.name: x})
        except self._errors as e:
            raise InputError("the ONNX model rejected the input", {"message": str(e)}) from e
        predictions = np.asarray(results[0])
        probs = None
        if len(results) > 1:
            probs = results[1]
            if isinstance(probs, list) and probs and isinstance(probs[0], dict):  # skl2onnx ZipMap
                self.classes = list(probs[0].keys())
                probs = [list(row.values()) for row in probs]
            probs = np.asarray(probs)
        return Output(predictions, probs)


_TORCH_SHAPE_ERRORS = ("shape", "size", "dimension", "mat1", "expected", "must match")


class TorchAdapter(Adapter):
    """A torch.nn.Module or TorchScript module, on CUDA when available (DEVICE=cpu forces the CPU)."""

    platform = "pytorch"
    dtype = np.dtype(np.float32)

    def __init__(self, model, torch, device, platform="pytorch"):
        self.torch = torch
        self.device = device
        self.platform = platform
        self.model = model.to(device).eval() if hasattr(model, "to") else model
        params = [p for p in getattr(self.model, "parameters", lambda: [])() if p.is_floating_point()]
        self.torch_dtype = params[0].dtype if params else torch.float32
        self.dtype = np.dtype(np.float32) if self.torch_dtype == torch.bfloat16 else torch.empty(0, dtype=self.torch_dtype).numpy().dtype
        self.versions = {"torch": torch.__version__}

    def predict(self, x, probabilities=True):
        torch = self.torch
        tensor = torch.from_numpy(np.ascontiguousarray(x)).to(device=self.device, dtype=self.torch_dtype)
        try:
            with torch.no_grad():
                out = self.model(tensor)
        except RuntimeError as e:
            if any(word in str(e).lower() for word in _TORCH_SHAPE_ERRORS):
                raise InputError("the model rejected the input's shape", {"message": str(e).strip().splitlines()[-1]}) from e
            raise
        return Output(_to_numpy(out, torch), None)


def _to_numpy(out, torch=None):
    """A model's output (tensor, array, tuple, dict of them) as one NumPy array: the first output,
    or `logits` when the output is a dict that has it."""
    if isinstance(out, dict):
        out = out["logits"] if "logits" in out else out[sorted(out)[0]]
    elif isinstance(out, (tuple, list)) and out and not isinstance(out[0], (int, float)):
        out = out[0]
    if torch is not None and isinstance(out, torch.Tensor):
        out = out.detach().cpu()
        if out.dtype == torch.bfloat16:
            out = out.float()
        return out.numpy()
    if hasattr(out, "numpy"):
        return np.asarray(out.numpy())
    return np.asarray(out)


def _torch_device(torch):
    wanted = os.environ.get("DEVICE", "auto").lower()
    if wanted == "cpu" or not torch.cuda.is_available():
        if wanted == "cuda":
            raise ModelLoadError("DEVICE=cuda but torch sees no GPU (is the NVIDIA runtime enabled for this container?)")
        device = "cpu"
    else:
        device = "cuda"
    threads = cpu_threads()
    if device == "cpu" and threads:
        torch.set_num_threads(threads)
    return torch.device(device)


class KerasAdapter(Adapter):
    """A Keras model (Keras 3 or tf.keras), called directly: `model.predict` costs far more per call."""

    platform = "tensorflow_keras"
    dtype = np.dtype(np.float32)

    def __init__(self, model, versions):
        self.model = model
        shape = getattr(model, "input_shape", None)
        if isinstance(shape, tuple) and shape and (shape[0] is None or isinstance(shape[0], int)):
            self.row_shape = tuple(d if isinstance(d, int) else None for d in shape[1:])
        self.versions = versions

    def predict(self, x, probabilities=True):
        return Output(_to_numpy(self.model(x, training=False)), None)


class SavedModelAdapter(Adapter):
    """A TensorFlow SavedModel through its `serving_default` signature."""

    platform = "tensorflow_savedmodel"

    def __init__(self, path):
        tf = _import("tensorflow", "A TensorFlow SavedModel")
        self.tf = tf
        loaded = tf.saved_model.load(path)
        self._loaded = loaded  # Keeps the variables alive.
        if "serving_default" not in loaded.signatures:
            raise ModelLoadError(f"the SavedModel has no 'serving_default' signature (it has: {', '.join(loaded.signatures) or 'none'})")
        self.fn = loaded.signatures["serving_default"]
        _, kwargs = self.fn.structured_input_signature
        if len(kwargs) != 1:
            raise ModelLoadError(f"the SavedModel's serving signature takes {len(kwargs)} inputs; the generated server feeds one")
        self.input_name, spec = next(iter(kwargs.items()))
        self.dtype = np.dtype(spec.dtype.as_numpy_dtype)
        dims = spec.shape.as_list() if spec.shape.rank is not None else None
        self.row_shape = tuple(dims[1:]) if dims else None
        self.versions = {"tensorflow": tf.__version__}

    def predict(self, x, probabilities=True):
        out = self.fn(**{self.input_name: self.tf.constant(x)})
        return Output(_to_numpy(out), None)


class TFLiteAdapter(Adapter):
    """A TensorFlow Lite flatbuffer, through tflite-runtime or TensorFlow's interpreter."""

    platform = "tensorflow_tflite"

    def __init__(self, path):
        try:
            from tflite_runtime.interpreter import Interpreter
        except ImportError:
            Interpreter = _import("tensorflow", "A TFLite model").lite.Interpreter
        self.interpreter = Interpreter(model_path=path, num_threads=cpu_threads())
        self.interpreter.allocate_tensors()
        inputs = self.interpreter.get_input_details()
        if len(inputs) != 1:
            raise ModelLoadError(f"the TFLite model takes {len(inputs)} inputs; the generated server feeds one")
        self.input = inputs[0]
        self.output = self.interpreter.get_output_details()[0]
        self.dtype = np.dtype(self.input["dtype"])
        signature = self.input.get("shape_signature", self.input["shape"])
        self.row_shape = tuple(int(d) if d > 0 else None for d in list(signature)[1:])
        self.shape = None

    def predict(self, x, probabilities=True):
        it = self.interpreter
        if self.shape != x.shape:
            it.resize_tensor_input(self.input["index"], list(x.shape))
            it.allocate_tensors()
            self.shape = x.shape
        it.set_tensor(self.input["index"], x)
        it.invoke()
        return Output(np.array(it.get_tensor(self.output["index"])), None)


class CatBoostAdapter(Adapter):
    """A CatBoost binary model (`save_model`, .cbm)."""

    platform = "catboost"

    def __init__(self, path):
        catboost = _import("catboost", "A CatBoost model")
        self.model = catboost.CatBoost()
        self.model.load_model(path)
        loss = str(self.model.get_all_params().get("loss_function", ""))
        self.classifier = loss.split(":")[0] in ("Logloss", "CrossEntropy", "MultiClass", "MultiClassOneVsAll")
        names = getattr(self.model, "feature_names_", None)
        self.row_shape = (len(names),) if names else None
        self.versions = {"catboost": catboost.__version__}

    def predict(self, x, probabilities=True):
        if not self.classifier:
            return Output(np.asarray(self.model.predict(x)), None)
        predictions = np.asarray(self.model.predict(x, prediction_type="Class")).reshape(len(x), -1)[:, 0]
        probs = np.asarray(self.model.predict(x, prediction_type="Probability")) if probabilities else None
        return Output(predictions, probs)


# ---------------------------------------------------------------------------------------------
# Loaders, by MODEL_FORMAT.
# ---------------------------------------------------------------------------------------------


def load_model_def():
    """The user's `model_def.py` (MODEL_DEF, default next to this file), or None."""
    path = os.environ.get("MODEL_DEF") or os.path.join(HERE, "model_def.py")
    if not os.path.isfile(path):
        return None
    spec = importlib.util.spec_from_file_location("model_def", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _needs_model_code(what, path):
    return ModelLoadError(
        f"{os.path.basename(path)} is {what}: it holds weights only, not the model's code, so it cannot be served on its own. "
        "Add serving/model_def.py defining build_model() that returns the model (an untrained torch.nn.Module); "
        "the server then loads these weights into it. Or define load_model(path) there to load the model yourself."
    )


def adapter_for_object(obj):
    """An adapter for an already loaded model object, chosen by what it is."""
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(obj, torch.nn.Module):
        platform = "pytorch_torchscript" if isinstance(obj, torch.jit.ScriptModule) else "pytorch"
        return TorchAdapter(obj, torch, _torch_device(torch), platform)
    module = type(obj).__module__
    if module.startswith(("keras", "tensorflow", "tf_keras")) and hasattr(obj, "input_shape"):
        return KerasAdapter(obj, _versions("keras", "tensorflow"))
    if callable(getattr(obj, "predict", None)):
        return EstimatorAdapter(obj)
    if callable(obj):
        return CallableAdapter(obj)
    raise ModelLoadError(
        f"the model file holds a {module}.{type(obj).__name__}, which has no predict(); "
        "serve the fitted estimator itself, or add serving/model_def.py with load_model(path)"
    )


def _load_pickle(path, framework, hook):
    if framework in ("numpy", "pandas"):
        raise ModelLoadError(f"{os.path.basename(path)} is a pickle of {framework} data, not a model: there is nothing to call predict() on")
    # Unpickling runs code from the file: serve only models you trust (Modelship's scan flags risky pickles).
    try:
        import joblib  # Reads plain pickles too, and joblib dumps saved under a .pkl name.

        model = joblib.load(path)
    except ImportError:
        import pickle

        with open(path, "rb") as f:
            model = pickle.load(f)
    return adapter_for_object(model)


def _is_torchscript(path):
    try:
        with zipfile.ZipFile(path) as z:
            return any(name.endswith("/constants.pkl") or name == "constants.pkl" for name in z.namelist())
    except (zipfile.BadZipFile, OSError):
        return False


def _load_torchscript(path, framework, hook):
    torch = _import("torch", "A TorchScript model")
    device = _torch_device(torch)
    return TorchAdapter(torch.jit.load(path, map_location=device), torch, device, "pytorch_torchscript")


def _build_from_hook(hook, what, path):
    if hook is None or not hasattr(hook, "build_model"):
        raise _needs_model_code(what, path)
    return hook.build_model()


def _load_pytorch(path, framework, hook):
    if _is_torchscript(path):
        return _load_torchscript(path, framework, hook)
    torch = _import("torch", "A PyTorch model")
    device = _torch_device(torch)
    try:
        obj = torch.load(path, map_location=device, weights_only=True)
    except TypeError:  # torch < 1.13 has no weights_only.
        obj = None
    except Exception:
        obj = None
    if obj is None:
        # !!! A pickled whole module (torch.save(model)) cannot be read with weights_only=True.
        # !!! weights_only=False UNPICKLES THE FILE: it runs whatever code the file names.
        # !!! Serve only a model you trust, or re-save it as TorchScript (torch.jit.script(model).save)
        # !!! or as a state_dict with serving/model_def.py, which need no code execution.
        obj = torch.load(path, map_location=device, weights_only=False) if "weights_only" in torch.load.__code__.co_varnames else torch.load(path, map_location=device)
    if isinstance(obj, torch.nn.Module):
        return TorchAdapter(obj, torch, device)
    if isinstance(obj, dict):
        state = obj
        for key in ("state_dict", "model_state_dict", "model"):
            if isinstance(obj.get(key), dict):
                state = obj[key]
                break
        model = _build_from_hook(hook, "a PyTorch state_dict (a checkpoint of tensors)", path)
        model.load_state_dict(state)
        return TorchAdapter(model, torch, device)
    raise ModelLoadError(f"{os.path.basename(path)} holds a {type(obj).__name__}, not a torch.nn.Module or a state_dict")


def _load_safetensors(path, framework, hook):
    model = _build_from_hook(hook, "a safetensors file", path)
    torch = _import("torch", "A safetensors model")
    st = _import("safetensors.torch", "A safetensors model")
    files = [path]
    if path.endswith(".json"):  # A sharded checkpoint's index.
        with open(path) as f:
            weight_map = json.load(f).get("weight_map", {})
        files = [os.path.join(os.path.dirname(path), name) for name in sorted(set(weight_map.values()))]
    state = {}
    for file in files:
        state.update(st.load_file(file, device="cpu"))
    model.load_state_dict(state)
    return TorchAdapter(model, torch, _torch_device(torch))


def _import_keras():
    try:
        return importlib.import_module("keras")
    except ImportError:
        return _import("tensorflow", "A Keras model").keras


def _load_keras(path, framework, hook):
    keras = _import_keras()
    try:
        model = keras.models.load_model(path, compile=False)
    except Exception as e:
        if hook is None or not hasattr(hook, "build_model"):
            raise ModelLoadError(
                f"Keras could not load {os.path.basename(path)} as a whole model ({e}). If it holds weights only "
                "(model.save_weights), add serving/model_def.py with build_model() returning the Keras model."
            ) from e
        model = hook.build_model()
        model.load_weights(path)
    return KerasAdapter(model, _versions("keras", "tensorflow"))


def _load_savedmodel(path, framework, hook):
    return SavedModelAdapter(path)


def _not_servable(reason):
    def load(path, framework, hook):
        raise ModelLoadError(f"{os.path.basename(path)}: {reason}")

    return load


LOADERS = {
    "pickle": _load_pickle,
    "joblib": _load_pickle,
    "xgboost-json": lambda path, framework, hook: XGBoostAdapter(path),
    "xgboost-ubj": lambda path, framework, hook: XGBoostAdapter(path),
    "lightgbm-text": lambda path, framework, hook: LightGBMAdapter(path),
    "onnx": lambda path, framework, hook: OnnxAdapter(path),
    "torchscript": _load_torchscript,
    "pytorch": _load_pytorch,
    "safetensors": _load_safetensors,
    "keras": _load_keras,
    "keras-h5": _load_keras,
    "savedmodel": _load_savedmodel,
    "tflite": lambda path, framework, hook: TFLiteAdapter(path),
    "catboost": lambda path, framework, hook: CatBoostAdapter(path),
    "numpy": _not_servable("a NumPy array file holds data (or weights) and no model to call; save the fitted model itself (joblib, ONNX, TorchScript...)"),
    "gguf": _not_servable("GGUF models are served by llama.cpp's own server (llama-server), not by this app"),
    "lfs-pointer": _not_servable("this is a Git LFS pointer, not the model; run `git lfs pull` before building"),
}

_EXTENSIONS = {
    ".joblib": "joblib", ".pkl": "pickle", ".pickle": "pickle", ".sav": "pickle", ".onnx": "onnx",
    ".pt": "pytorch", ".pth": "pytorch", ".bin": "pytorch", ".ckpt": "pytorch", ".json": "xgboost-json",
    ".ubj": "xgboost-ubj", ".txt": "lightgbm-text", ".safetensors": "safetensors", ".h5": "keras-h5",
    ".hdf5": "keras-h5", ".keras": "keras", ".tflite": "tflite", ".cbm": "catboost", ".npy": "numpy",
    ".npz": "numpy", ".gguf": "gguf",
}


def guess_format(path):
    """MODEL_FORMAT for a path when the environment does not say (running outside Modelship's files)."""
    if os.path.isdir(path):
        return "savedmodel" if os.path.exists(os.path.join(path, "saved_model.pb")) else "unknown"
    if path.endswith(".safetensors.index.json"):
        return "safetensors"
    return _EXTENSIONS.get(os.path.splitext(path)[1].lower(), "unknown")


def load_adapter(path, fmt="", framework=""):
    """Loads the model once and returns its adapter; raises ModelLoadError with a fix on failure."""
    hook = load_model_def()
    if hook is not None and hasattr(hook, "load_model"):
        return adapter_for_object(hook.load_model(path))
    if not path:
        raise ModelLoadError("MODEL_PATH is not set: point it at the model file inside the container")
    if not os.path.exists(path):
        raise ModelLoadError(f"model not found at {path} (MODEL_PATH): bake it into the image or mount it there")
    fmt = fmt or guess_format(path)
    loader = LOADERS.get(fmt)
    if loader is None:
        raise ModelLoadError(f"no adapter for model format '{fmt}' (MODEL_FORMAT); supported: {', '.join(sorted(LOADERS))}")
    return loader(path, framework, hook)


# ---------------------------------------------------------------------------------------------
# Requests to batches, and batches through the model.
# ---------------------------------------------------------------------------------------------


def _check_objects(x):
    """An object array from JSON: numbers and nulls (missing values, as NaN) pass, anything else is named."""
    for value in x.flat:
        if value is None or isinstance(value, (int, float)):
            continue
        if isinstance(value, list):
            raise InputError("rows have different lengths (or are nested unevenly)")
        raise InputError("instances must hold numbers only", {"value": repr(value)[:40]})
    try:
        return np.asarray(x.tolist(), dtype=np.float64)
    except (ValueError, TypeError, OverflowError):
        raise InputError("rows have different lengths (or are nested unevenly)") from None


def as_numbers(data):
    """JSON data (nested lists) as a numeric array; text, objects and ragged rows raise InputError."""
    try:
        x = np.asarray(data)
    except (ValueError, TypeError):
        raise InputError("rows have different lengths (or are nested unevenly)") from None
    kind = x.dtype.kind
    if kind == "O":
        return _check_objects(x)
    if kind in "USV":
        raise InputError("instances must hold numbers only (found text)", {"value": str(x.flat[0])[:40] if x.size else None})
    if kind not in "biuf":
        raise InputError("instances must hold numbers only")
    return x


def fit_to_model(x, adapter, max_rows=None):
    """Checks a batch (rows first) against the model's row shape and converts it to the model's dtype."""
    if x.ndim < 2:
        if adapter is not None and adapter.row_shape == (1,):
            x = x.reshape(-1, 1)
        else:
            raise InputError("each instance must be a row (a list of numbers): send {\"instances\": [[...], ...]}")
    if x.size == 0:
        raise InputError("instances hold no values")
    if max_rows is not None and x.shape[0] > max_rows:
        raise InputError(f"too many rows: {x.shape[0]} > {max_rows} (MAX_BATCH_SIZE); split the request", {"rows": x.shape[0], "max": max_rows}, 413)
    if adapter is None:
        return x
    expected = adapter.row_shape
    if expected is not None:
        got = x.shape[1:]
        if len(got) != len(expected) or any(e is not None and e != g for e, g in zip(expected, got)):
            shown = [e if e is not None else "any" for e in expected]
            raise InputError(f"wrong input shape: each row must be {shown}, got {list(got)}", {"expected": shown, "got": list(got)})
    target = adapter.dtype
    if target.kind in "iub" and x.dtype.kind == "f":
        if not np.all(np.isfinite(x)) or not np.all(np.mod(x, 1) == 0):
            raise InputError(f"this model takes whole numbers ({target.name})")
    return x.astype(target, copy=False)


def to_batch(rows, adapter, single=False, max_rows=None):
    """JSON rows (lists of numbers, or objects keyed by column) to the array the model takes.

    `single` marks a request that holds one row (`{"data": [...]}`). Raises InputError (422, or 413
    for too many rows) naming the problem; a malformed request never reaches the model. With no
    adapter (model still loading) only the structure is checked.
    """
    if not isinstance(rows, list):
        raise InputError("instances must be a list of rows", {"got": type(rows).__name__}, 400)
    if not rows:
        raise InputError("instances is empty: send at least one row")
    if max_rows is not None and len(rows) > max_rows:
        raise InputError(f"too many rows: {len(rows)} > {max_rows} (MAX_BATCH_SIZE); split the request", {"rows": len(rows), "max": max_rows}, 413)
    if isinstance(rows[0], dict):
        if adapter is None:
            raise InputError("rows given as objects need the model loaded (it names the columns); retry when /readyz is 200", status=503)
        rows = adapter.from_records(rows)
        if not isinstance(rows, list):
            return rows  # A DataFrame, for a model that selects columns by name.
    x = as_numbers(rows)
    if single and x.ndim == 1:
        x = x.reshape(1, -1)
    return fit_to_model(x, adapter, max_rows)


def _call(adapter, x, probabilities=True):
    out = adapter.predict(x, probabilities)
    predictions = np.asarray(out.predictions)
    n = len(x)
    if predictions.ndim == 0 or predictions.shape[0] != n:
        raise RuntimeError(f"the model returned {predictions.shape[0] if predictions.ndim else 1} predictions for {n} rows")
    probs = out.probabilities if probabilities else None
    if probs is not None:
        probs = np.asarray(probs)
        if probs.ndim == 0 or probs.shape[0] != n:
            probs = None
    return Output(predictions, probs)


def predict_together(adapter, batches, probabilities=True):
    """One model call for several batches with the same row shape, split back per batch.

    Returns an Output or the exception per batch. When the joint call fails on input (ValueError),
    each batch is retried alone, so one bad request never fails the requests it was merged with.
    """
    if len(batches) == 1:
        try:
            return [_call(adapter, batches[0], probabilities)]
        except Exception as e:
            return [e]
    try:
        joint = _call(adapter, np.concatenate(batches), probabilities)
    except ValueError:
        return [predict_together(adapter, [b], probabilities)[0] for b in batches]
    except Exception as e:
        return [e] * len(batches)
    results, start = [], 0
    for b in batches:
        end = start + len(b)
        probs = joint.probabilities[start:end] if joint.probabilities is not None else None
        results.append(Output(joint.predictions[start:end], probs))
        start = end
    return results


def mergeable(a, b):
    return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape[1:] == b.shape[1:] and a.dtype == b.dtype


def warm_up(adapter):
    """One prediction on a row of zeros when the row shape is fully known (TorchScript and ONNX
    Runtime optimise on the first calls); returns the Output, or None when skipped."""
    shape = adapter.row_shape
    if shape is None or any(d is None for d in shape):
        return None
    return _call(adapter, np.zeros((1,) + tuple(shape), dtype=adapter.dtype))
