"""A tiny character-level decoder-only transformer that trains here, for one-shot LLM pruning at toy scale.

The text is the Python documentation that ships with every CPython (the
standard library's ``pydoc_data.topics``, about 465 KB of English and code),
so nothing is downloaded. The model is a GPT-style stack (pre-LayerNorm,
causal self-attention, a 4x MLP, tied input/output embeddings) of about
0.4 M parameters; its ``nn.Linear`` layers (``qkv``, ``proj``, ``fc1``,
``fc2`` in each block) are what one-shot pruners prune, as in the SparseGPT
and Wanda papers, which leave embeddings and the output head dense.

A trained checkpoint ships with the package (``checkpoints/tiny_lm.npz``, about
1.6 MB); one command regenerates it exactly (seeded, one thread):

    python -m hwprune_edu.nn.language            # writes hwprune_edu/nn/checkpoints/tiny_lm.npz

>>> corpus = load_corpus()
>>> len(corpus.vocab) > 90, round(corpus.train.numel() / corpus.val.numel())  # 90 % : 10 %
(True, 9)
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from hwprune_edu.nn.checks import check_finite_loss, check_lr, check_module, check_seed
from hwprune_edu.nn.scoped import evaluating, fixed_threads
from hwprune_edu.util.validation import check_fraction, check_int, check_positive_int, describe

__all__ = ["CharCorpus", "LMConfig", "TinyLM", "load_corpus", "train_tiny_lm", "perplexity", "load_tiny_lm",
           "save_tiny_lm", "CHECKPOINT", "TRAIN_STEPS", "linear_layers"]

#: Where the shipped checkpoint lives (inside the package, read with importlib.resources).
CHECKPOINT = "checkpoints/tiny_lm.npz"
#: Optimiser steps of the shipped checkpoint: about 90 s on one thread of the development machine.
TRAIN_STEPS = 600


@dataclass(frozen=True, eq=False)
class CharCorpus:
    """The text as character ids: ``train`` (the first 90 %) and the held-out ``val`` (the last 10 %).

    Attributes:
        vocab: the characters, in id order (the sorted set of the text's characters).
        train, val: int64 tensors of ids.
        sha256: of the text, so a checkpoint can tell whether it was trained on this very text.
    """

    vocab: str
    train: torch.Tensor
    val: torch.Tensor
    sha256: str

    def __post_init__(self) -> None:
        if not isinstance(self.vocab, str) or not self.vocab:
            raise TypeError(f"vocab must be a non-empty str of the characters, got {describe(self.vocab)}")
        for name in ("train", "val"):
            ids = getattr(self, name)
            if not isinstance(ids, torch.Tensor) or ids.dtype != torch.int64 or ids.ndim != 1:
                raise TypeError(f"{name} must be a 1-D int64 tensor of character ids, got {describe(ids)}")
            if ids.numel() and (int(ids.min()) < 0 or int(ids.max()) >= len(self.vocab)):
                raise ValueError(f"{name} must hold ids in [0, {len(self.vocab) - 1}] (one per vocab character)")
        if not isinstance(self.sha256, str):
            raise TypeError(f"sha256 must be the text's hex digest, a str, got {describe(self.sha256)}")

    def encode(self, text: str) -> torch.Tensor:
        """Ids of ``text``; characters outside the vocabulary become the space character."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {describe(text)}")
        index = {c: i for i, c in enumerate(self.vocab)}
        fallback = index.get(" ", 0)
        return torch.tensor([index.get(c, fallback) for c in text], dtype=torch.int64)

    def decode(self, ids) -> str:
        return "".join(self.vocab[int(i)] for i in ids)


def load_corpus(val_fraction: float = 0.1) -> CharCorpus:
    """The standard library's ``pydoc_data.topics`` (topics in sorted order), split into train and held-out text.

    The held-out split is the *end* of the text (whole topics the model never saw), not random
    windows, so held-out perplexity is not flattered by overlap with training windows.
    """
    from pydoc_data.topics import topics  # ships with CPython; imported here so importing nn stays quick

    val_fraction = check_fraction(val_fraction, name="val_fraction", zero_ok=False, one_ok=False)
    text = "\n\n".join(topics[key] for key in sorted(topics))
    vocab = "".join(sorted(set(text)))
    lookup = np.zeros(max(map(ord, vocab)) + 1, dtype=np.int64)
    lookup[[ord(c) for c in vocab]] = np.arange(len(vocab))
    ids = torch.from_numpy(lookup[np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)])
    split = int(round(len(ids) * (1 - val_fraction)))
    return CharCorpus(vocab, ids[:split], ids[split:], hashlib.sha256(text.encode()).hexdigest())


@dataclass(frozen=True)
class LMConfig:
    """Sizes of the tiny LM. ``d_model`` and ``d_ff`` are multiples of 4, so every Linear can take a 2:4 mask."""

    vocab_size: int
    context: int = 64
    d_model: int = 128
    n_layers: int = 2
    n_heads: int = 4
    d_ff: int = 512

    def __post_init__(self) -> None:
        for name in ("vocab_size", "context", "d_model", "n_layers", "n_heads", "d_ff"):
            check_positive_int(getattr(self, name), name=name)
        if self.d_model % self.n_heads:
            raise ValueError(f"d_model must be a multiple of n_heads (each head gets d_model / n_heads), "
                             f"got d_model={self.d_model}, n_heads={self.n_heads}")


class Block(nn.Module):
    """Pre-LN transformer block: ``x + attn(ln1(x))``, then ``x + mlp(ln2(x))``."""

    def __init__(self, config: LMConfig) -> None:
        super().__init__()
        d = config.d_model
        self.n_heads = config.n_heads
        self.ln1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, config.d_ff)
        self.fc2 = nn.Linear(config.d_ff, d)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, tokens, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=2)
        heads = [t.view(batch, tokens, self.n_heads, d // self.n_heads).transpose(1, 2) for t in (q, k, v)]
        attended = F.scaled_dot_product_attention(*heads, is_causal=True)
        x = x + self.proj(attended.transpose(1, 2).reshape(batch, tokens, d))
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))


class TinyLM(nn.Module):
    """A character-level GPT: token + position embeddings, ``n_layers`` blocks, a final LayerNorm, a tied head.

    >>> model = TinyLM(LMConfig(vocab_size=10, context=8, d_model=16, n_layers=1, n_heads=2, d_ff=32), seed=0)
    >>> model(torch.zeros(2, 8, dtype=torch.int64)).shape
    torch.Size([2, 8, 10])
    """

    def __init__(self, config: LMConfig, *, seed: int = 0) -> None:
        super().__init__()
        if not isinstance(config, LMConfig):
            raise TypeError(f"config must be an LMConfig, got {describe(config)}")
        with torch.random.fork_rng(devices=[]):  # the caller's global RNG is left as it was
            torch.manual_seed(check_seed(seed))
            self._build(config)

    def _build(self, config: LMConfig) -> None:
        self.config = config
        self.token = nn.Embedding(config.vocab_size, config.d_model)
        self.position = nn.Embedding(config.context, config.d_model)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.n_layers))
        self.ln = nn.LayerNorm(config.d_model)
        for module in self.modules():  # GPT-2's initialisation: N(0, 0.02)
            if isinstance(module, (nn.Linear, nn.Embedding)):
                nn.init.normal_(module.weight, std=0.02)
                if getattr(module, "bias", None) is not None:
                    nn.init.zeros_(module.bias)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(ids.shape[1], device=ids.device)
        x = self.token(ids) + self.position(positions)
        for block in self.blocks:
            x = block(x)
        return self.ln(x) @ self.token.weight.T  # tied head: logits over the characters


def linear_layers(model: TinyLM) -> dict[str, nn.Linear]:
    """The prunable Linear layers by name (``"blocks.0.qkv"`` ...), in the order the input flows through them.

    >>> list(linear_layers(TinyLM(LMConfig(vocab_size=4, context=4, d_model=8, n_layers=1, n_heads=2, d_ff=8))))
    ['blocks.0.qkv', 'blocks.0.proj', 'blocks.0.fc1', 'blocks.0.fc2']
    """
    check_module(model)
    return {name: module for name, module in model.named_modules() if isinstance(module, nn.Linear)}


def _windows(ids: torch.Tensor, context: int, starts: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    offsets = starts[:, None] + torch.arange(context + 1)[None, :]
    chunk = ids[offsets]
    return chunk[:, :-1], chunk[:, 1:]


def train_tiny_lm(corpus: CharCorpus, *, steps: int = TRAIN_STEPS, config: LMConfig | None = None,
                  batch_size: int = 32, lr: float = 3e-3, seed: int = 0, num_threads: int | None = 1,
                  log_every: int = 0) -> TinyLM:
    """Train a :class:`TinyLM` on ``corpus.train``: AdamW, linear warm-up then cosine decay; seeded, deterministic.

    Args:
        corpus: from :func:`load_corpus`.
        steps: optimiser steps of ``batch_size`` random windows of ``config.context`` characters.
        config: model sizes (default: :class:`LMConfig` for this vocabulary).
        lr: peak learning rate.
        seed: seeds the weights and the windows.
        num_threads: torch threads while training (1: the same result on every run here).
        log_every: print the training loss every this many steps (0: silent).
    """
    if not isinstance(corpus, CharCorpus):
        raise TypeError(f"corpus must be a CharCorpus from load_corpus(), got {describe(corpus)}")
    steps = check_positive_int(steps, name="steps")
    batch_size = check_positive_int(batch_size, name="batch_size")
    lr = check_lr(lr)
    seed = check_seed(seed)
    log_every = check_int(log_every, name="log_every", minimum=0)
    if config is not None and not isinstance(config, LMConfig):
        raise TypeError(f"config must be an LMConfig (or None for the default), got {describe(config)}")
    config = config or LMConfig(vocab_size=len(corpus.vocab))
    if config.vocab_size < len(corpus.vocab):
        raise ValueError(f"config.vocab_size must be at least the corpus's {len(corpus.vocab)} characters, "
                         f"got {config.vocab_size}")
    if corpus.train.numel() <= config.context + 1:
        raise ValueError(f"corpus.train must hold more than context + 1 = {config.context + 1} characters, "
                         f"got {corpus.train.numel()}")
    model = TinyLM(config, seed=seed)
    generator = torch.Generator().manual_seed(seed)
    decay = [p for n, p in model.named_parameters() if p.ndim == 2]
    no_decay = [p for n, p in model.named_parameters() if p.ndim < 2]
    optimiser = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                                  lr=lr, betas=(0.9, 0.95))
    warmup = max(1, steps // 20)

    def schedule(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, steps - warmup)))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimiser, schedule)
    started = time.perf_counter()
    with fixed_threads(num_threads):
        model.train()
        for step in range(steps):
            starts = torch.randint(0, corpus.train.numel() - config.context - 1, (batch_size,), generator=generator)
            inputs, targets = _windows(corpus.train, config.context, starts)
            loss = F.cross_entropy(model(inputs).flatten(0, 1), targets.flatten())
            check_finite_loss(loss.item(), step=step + 1, lr=lr, updated=step > 0)
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            scheduler.step()
            if log_every and (step + 1) % log_every == 0:
                print(f"step {step + 1}/{steps}: loss {loss.item():.3f} ({time.perf_counter() - started:.0f} s)")
        model.eval()
    return model


def perplexity(model: TinyLM, ids: torch.Tensor, *, max_windows: int | None = None, batch_size: int = 64,
               num_threads: int | None = 1) -> float:
    """Perplexity ``exp(mean cross-entropy)`` on consecutive, non-overlapping windows of ``ids`` (e.g. ``corpus.val``).

    Every window predicts its characters from the ones before it in the window only
    (at most ``context - 1`` of them), the usual fixed-window evaluation.
    """
    if not isinstance(model, TinyLM):
        raise TypeError(f"model must be a TinyLM (from load_tiny_lm or train_tiny_lm), got {describe(model)}")
    check_module(model)
    if not isinstance(ids, torch.Tensor) or ids.dtype != torch.int64 or ids.ndim != 1:
        raise TypeError(f"ids must be a 1-D int64 tensor of character ids, e.g. corpus.val, got {describe(ids)}")
    if ids.is_meta:
        raise ValueError("ids is a meta tensor (a shape without data): create it on the CPU")
    if ids.numel() and (int(ids.min()) < 0 or int(ids.max()) >= model.config.vocab_size):
        raise ValueError(f"ids must be in [0, {model.config.vocab_size - 1}] (the model's vocabulary), "
                         f"got {int(ids.min())} to {int(ids.max())}")
    batch_size = check_positive_int(batch_size, name="batch_size")
    context = model.config.context
    n_windows = (ids.numel() - 1) // context
    if max_windows is not None:
        n_windows = min(n_windows, check_positive_int(max_windows, name="max_windows"))
    if n_windows < 1:
        raise ValueError(f"ids must hold more than context = {context} characters, got {ids.numel()}")
    starts = torch.arange(n_windows) * context
    total, count = 0.0, 0
    with fixed_threads(num_threads), evaluating(model), torch.no_grad():
        for first in range(0, n_windows, batch_size):
            inputs, targets = _windows(ids, context, starts[first:first + batch_size])
            logits = model(inputs)
            total += F.cross_entropy(logits.flatten(0, 1), targets.flatten(), reduction="sum").item()
            count += targets.numel()
    return math.exp(total / count)


def save_tiny_lm(model: TinyLM, corpus: CharCorpus, path: str | Path) -> Path:
    """Write the weights (float32), the config, the vocabulary and the text's hash to one ``.npz``."""
    if not isinstance(model, TinyLM):
        raise TypeError(f"model must be a TinyLM, got {describe(model)}")
    check_module(model)
    if not isinstance(corpus, CharCorpus):
        raise TypeError(f"corpus must be the CharCorpus the model was trained on, got {describe(corpus)}")
    if not isinstance(path, (str, Path)) or not str(path):
        raise TypeError(f"path must be a file path (str or pathlib.Path), got {describe(path)}")
    arrays = {f"param/{name}": t.detach().numpy().astype(np.float32) for name, t in model.state_dict().items()}
    meta = {f"config/{key}": np.array(value) for key, value in asdict(model.config).items()}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        np.savez_compressed(file, vocab=np.array(corpus.vocab), sha256=np.array(corpus.sha256), **meta, **arrays)
    return path


def load_tiny_lm(path: str | Path | None = None) -> TinyLM:
    """The trained tiny LM: the shipped checkpoint, or the ``.npz`` at ``path`` written by :func:`save_tiny_lm`."""
    if path is None:
        source = resources.files("hwprune_edu.nn").joinpath(CHECKPOINT)
        with resources.as_file(source) as file:
            return load_tiny_lm(file)
    if not isinstance(path, (str, Path)) or not str(path):
        raise TypeError(f"path must be a file path (str or pathlib.Path) or None for the shipped model, "
                        f"got {describe(path)}")
    if not Path(path).is_file():
        raise ValueError(f"path must name an .npz file written by save_tiny_lm, but {str(path)!r} is not a file")
    with np.load(Path(path)) as data:
        config = LMConfig(**{key.split("/", 1)[1]: int(data[key]) for key in data.files if key.startswith("config/")})
        state = {key.split("/", 1)[1]: torch.from_numpy(data[key].copy()) for key in data.files
                 if key.startswith("param/")}
    model = TinyLM(config)
    model.load_state_dict(state)
    return model.eval()


def main() -> None:  # python -m hwprune_edu.nn.language: regenerate the shipped checkpoint
    import argparse

    parser = argparse.ArgumentParser(description="Train the course's tiny LM and write its checkpoint.")
    default = Path(__file__).parent / CHECKPOINT
    parser.add_argument("--out", type=Path, default=default, help=f"where to write it (default: {default})")
    parser.add_argument("--steps", type=int, default=TRAIN_STEPS)
    args = parser.parse_args()
    corpus = load_corpus()
    started = time.perf_counter()
    model = train_tiny_lm(corpus, steps=args.steps, log_every=100)
    print(f"trained in {time.perf_counter() - started:.0f} s; held-out perplexity {perplexity(model, corpus.val):.3f}")
    print(f"wrote {save_tiny_lm(model, corpus, args.out)}")


if __name__ == "__main__":
    main()
