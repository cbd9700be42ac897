"""A stand-in TFLite interpreter: one float32 input of shape (-1, 4), output twice the input."""
import numpy as np


class Interpreter:
    def __init__(self, model_path, num_threads=None):
        self.shape = [1, 4]
        self.allocated = False
        self.tensors = {}

    def get_input_details(self):
        return [{"index": 0, "dtype": np.float32, "shape": np.array(self.shape), "shape_signature": np.array([-1, 4])}]

    def get_output_details(self):
        return [{"index": 1}]

    def resize_tensor_input(self, index, shape):
        self.shape = list(shape)
        self.allocated = False

    def allocate_tensors(self):
        self.allocated = True

    def set_tensor(self, index, value):
        if not self.allocated or list(value.shape) != self.shape or value.dtype != np.float32:
            raise ValueError("tensor does not match the allocated input")
        self.tensors[index] = value

    def invoke(self):
        self.tensors[1] = self.tensors[0] * 2

    def get_tensor(self, index):
        return self.tensors[index]
