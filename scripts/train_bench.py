"""The PyTorch side of `vitrine bench training`: the same two-tower model (server/src/recsys/
two_tower) and the same training step (in-batch softmax with log-Q correction, uniform
negatives, AdamW), on random data of the given shapes. Prints one JSON line: samples/s.
"""

import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Mlp(nn.Module):
    def __init__(self, width, hidden, out, dropout):
        super().__init__()
        layers = []
        for h in hidden:
            layers += [nn.Linear(width, h), nn.ReLU(), nn.Dropout(dropout)]
            width = h
        layers.append(nn.Linear(width, out))
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


def keep_masks(rows, count, p, device):
    masks = [(torch.rand(rows, 1, device=device) >= p).float() for _ in range(count)]
    kept = sum(masks)
    masks[0] = torch.maximum(masks[0], (kept == 0).float())
    return masks


class ContentTower(nn.Module):
    def __init__(self, a):
        super().__init__()
        self.id = nn.Embedding(a.items + 1, a.id_dim, padding_idx=0)
        self.category = nn.Embedding(a.categories + 1, a.category_dim, padding_idx=0)
        self.text = nn.Linear(a.text_dim, a.feature_dim)
        self.mlp = Mlp(a.id_dim + a.category_dim + a.feature_dim + 1, a.hidden, a.dim, a.dropout)
        self.p = a.modality_dropout

    def forward(self, ids, categories, text, has_text):
        keep_id, keep_text = keep_masks(ids.shape[0], 2, self.p, ids.device)
        keep_text = keep_text * has_text.unsqueeze(1)
        x = torch.cat([self.id(ids + 1) * keep_id, self.category(categories),
                       self.text(text) * keep_text, keep_text], 1)
        return F.normalize(self.mlp(x), dim=1)


class UserTower(nn.Module):
    def __init__(self, a):
        super().__init__()
        self.id = nn.Embedding(a.users + 1, a.id_dim, padding_idx=0) if a.user_id else None
        self.history = nn.Embedding(a.items + 1, a.id_dim, padding_idx=0)
        self.features = nn.Embedding(a.feature_vocab + 1, a.category_dim, padding_idx=0)
        self.text = nn.Linear(a.text_dim, a.feature_dim)
        width = (2 if a.user_id else 1) * a.id_dim + a.category_dim + a.feature_dim + 1
        self.mlp = Mlp(width, a.hidden, a.dim, a.dropout)
        self.p = a.modality_dropout

    @staticmethod
    def pooled(embedding, tokens):
        mask = (tokens > 0).float().unsqueeze(2)
        return (embedding(tokens) * mask).sum(1) / mask.sum(1).clamp_min(1.0)

    def forward(self, ids, features, history, text_mean, has_text):
        keep_id, keep_text = keep_masks(ids.shape[0], 2, self.p, ids.device)
        keep_text = keep_text * has_text.unsqueeze(1)
        parts = [self.id(ids + 1) * keep_id] if self.id is not None else []
        parts += [self.pooled(self.history, history) * keep_id, self.pooled(self.features, features),
                  self.text(text_mean) * keep_text, keep_text]
        x = torch.cat(parts, 1)
        return F.normalize(self.mlp(x), dim=1)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    for name, default in [("users", 939), ("items", 1016), ("interactions", 65730), ("categories", 19),
                          ("feature_vocab", 30), ("text_dim", 384), ("history", 70), ("dim", 128),
                          ("id_dim", 64), ("category_dim", 16), ("feature_dim", 128), ("batch", 1024),
                          ("negatives", 1024), ("steps", 30), ("threads", 0), ("user_id", 0)]:
        p.add_argument("--" + name.replace("_", "-"), type=int, default=default)
    p.add_argument("--hidden", type=str, default="512,256")
    p.add_argument("--dropout", type=float, default=0.1)
    p.add_argument("--modality-dropout", type=float, default=0.5)
    p.add_argument("--temperature", type=float, default=0.07)
    p.add_argument("--device", default="cpu")
    a = p.parse_args()
    a.hidden = [int(h) for h in a.hidden.split(",")]
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    dev = torch.device(a.device)
    categories = torch.randint(1, a.categories + 1, (a.items,), device=dev)
    text = torch.randn(a.items, a.text_dim, device=dev)
    has_text = torch.ones(a.items, device=dev)
    features = torch.randint(1, a.feature_vocab + 1, (a.users, 3), device=dev)
    history = torch.randint(1, a.items + 1, (a.users, a.history), device=dev)
    text_sum = torch.randn(a.users, a.text_dim, device=dev) * 10
    text_count = torch.full((a.users,), 70.0, device=dev)
    pairs_u = torch.randint(0, a.users, (a.interactions,), device=dev)
    pairs_i = torch.randint(0, a.items, (a.interactions,), device=dev)
    log_q = torch.log(torch.full((a.items,), a.batch / a.items, device=dev))

    content, user = ContentTower(a).to(dev), UserTower(a).to(dev)
    params = list(content.parameters()) + list(user.parameters())
    opt = torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-4)

    def step(k):
        lo = (k * a.batch) % (a.interactions - a.batch)
        u, i = pairs_u[lo:lo + a.batch], pairs_i[lo:lo + a.batch]
        hist = history[u].masked_fill(history[u] == (i + 1).unsqueeze(1), 0)
        tsum, tcount = text_sum[u] - text[i], text_count[u] - has_text[i]
        uv = user(u, features[u], hist, tsum / tcount.clamp_min(1).unsqueeze(1), (tcount > 0.5).float())
        iv = content(i, categories[i], text[i], has_text[i])
        logits = uv @ iv.T / a.temperature - log_q[i].unsqueeze(0)
        dup = (i.unsqueeze(1) == i.unsqueeze(0)) & ~torch.eye(len(i), dtype=torch.bool, device=dev)
        logits = logits.masked_fill(dup, float("-inf"))
        n = torch.randint(0, a.items, (a.negatives,), device=dev)
        nv = content(n, categories[n], text[n], has_text[n])
        extra = uv @ nv.T / a.temperature - math.log(a.negatives / a.items)
        extra = extra.masked_fill(i.unsqueeze(1) == n.unsqueeze(0), float("-inf"))
        loss = F.cross_entropy(torch.cat([logits, extra], 1), torch.arange(len(i), device=dev))
        opt.zero_grad()
        loss.backward()
        opt.step()

    content.train()
    user.train()
    step(0)  # warm-up
    if dev.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    for k in range(1, a.steps + 1):
        step(k)
    if dev.type == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    print(json.dumps({"samples_per_s": a.batch * a.steps / seconds, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
