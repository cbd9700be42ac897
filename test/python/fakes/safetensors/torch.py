"""Reads a .safetensors file (F32 tensors) into torch tensors, as safetensors.torch.load_file does."""
import json
import struct

import torch


def load_file(path, device="cpu"):
    with open(path, "rb") as f:
        data = f.read()
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + size])
    body = data[8 + size:]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise ValueError(f"fake safetensors reads F32 only, not {info['dtype']}")
        start, end = info["data_offsets"]
        tensors[name] = torch.frombuffer(bytearray(body[start:end]), dtype=torch.float32).reshape(info["shape"]).to(device)
    return tensors
