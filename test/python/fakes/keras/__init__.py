"""A stand-in Keras: load_model gives a model of input (None, 4) that answers twice its first two columns."""
__version__ = "0.0-fake"


class _Tensor:
    def __init__(self, array):
        self.array = array

    def numpy(self):
        return self.array


class _Model:
    input_shape = (None, 4)

    def __call__(self, x, training=True):
        if training:
            raise AssertionError("serving must call the model with training=False")
        return _Tensor(x[:, :2] * 2)


class models:
    @staticmethod
    def load_model(path, compile=True):
        if path.endswith(".weights.h5"):
            raise ValueError("No model config found in the file: it holds weights only")
        return _Model()
