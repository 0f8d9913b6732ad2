"""The sentence encoders: shapes, norms, meaning, order, caching, and refusal of missing or damaged files."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sourcetrace.encoder import Encoder, SentenceEncoder, StaticEncoder
from sourcetrace.errors import ModelError
from sourcetrace.model_build import FIRST_CHAR, FIRST_WORD, pca, sif_weights, verify_weights
from sourcetrace.settings import Settings

SENTENCE = "The central bank raised interest rates by half a point on Thursday to fight inflation."
PARAPHRASE = "On Thursday the central bank lifted borrowing costs by 0.5 percentage points to curb rising prices."
UNRELATED = "The striker scored twice in the second half as the home side won the cup final."


@pytest.fixture(scope="module")
def model_dir() -> Path:
    folder = Settings.load().model_dir
    if not (folder / "manifest.json").is_file():
        pytest.skip(f"encoder not built in {folder}; run `python -m sourcetrace.model_build`")
    return folder


@pytest.fixture(scope="module")
def sentence(model_dir: Path) -> SentenceEncoder:
    return SentenceEncoder.load(model_dir, threads=1)


@pytest.fixture(scope="module")
def static(model_dir: Path) -> StaticEncoder:
    return StaticEncoder.load(model_dir)


def test_sentence_shape_dtype_and_unit_norm(sentence: SentenceEncoder) -> None:
    vectors = sentence.encode([SENTENCE, PARAPHRASE, UNRELATED, ""])
    assert vectors.shape == (4, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert sentence.dim == 384
    assert sentence.encode([]).shape == (0, 384)


def test_paraphrase_scores_above_unrelated(sentence: SentenceEncoder) -> None:
    a, b, c = sentence.encode([SENTENCE, PARAPHRASE, UNRELATED])
    assert a @ b > 0.5
    assert a @ b > a @ c + 0.3


def test_cosine_is_symmetric_and_order_is_restored(sentence: SentenceEncoder) -> None:
    long = " ".join([UNRELATED] * 3)
    forward = sentence.encode([long, SENTENCE, PARAPHRASE], batch_size=2)
    backward = sentence.encode([PARAPHRASE, SENTENCE, long], batch_size=2)
    assert forward[1] @ forward[2] == pytest.approx(backward[1] @ backward[0], abs=0.01)
    # rows come back in input order although the call sorts by length; int8 activations are quantized per
    # batch, so the same text in another batch agrees closely rather than exactly
    np.testing.assert_allclose(np.sum(forward * backward[::-1], axis=1), 1.0, atol=0.01)
    alone = sentence.encode([SENTENCE])[0]
    assert alone @ forward[1] > 0.99


def test_long_text_is_truncated_not_rejected(sentence: SentenceEncoder) -> None:
    head = " ".join(SENTENCE.split() * 3)
    vectors = sentence.encode([head + " " + "word " * 600, head])
    assert np.all(np.isfinite(vectors))
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_loads_once_per_folder(model_dir: Path, sentence: SentenceEncoder, static: StaticEncoder) -> None:
    assert SentenceEncoder.load(model_dir, threads=1) is sentence
    assert StaticEncoder.load(model_dir) is static
    assert isinstance(sentence, Encoder) and isinstance(static, Encoder)


def test_static_shape_norm_and_empty(static: StaticEncoder) -> None:
    vectors = static.encode([SENTENCE, "", PARAPHRASE])
    assert vectors.shape == (3, 256) and vectors.dtype == np.float32
    norms = np.linalg.norm(vectors, axis=1)
    assert norms[0] == pytest.approx(1.0, abs=1e-4) and norms[2] == pytest.approx(1.0, abs=1e-4)
    assert norms[1] == 0.0  # nothing to average
    assert static.encode([]).shape == (0, 256)


def test_static_ranks_verbatim_duplicate_first(static: StaticEncoder) -> None:
    seeds = sorted((Path(__file__).resolve().parent.parent / "examples" / "seeds").glob("*.txt"))
    pool = [line.strip() for path in seeds for line in path.read_text("utf-8").splitlines() if len(line) > 60]
    assert len(pool) > 20
    query = pool[len(pool) // 2]
    scores = static.encode(pool) @ static.encode([query])[0]
    assert int(np.argmax(scores)) == len(pool) // 2
    assert scores.max() == pytest.approx(1.0, abs=1e-3)
    assert np.sort(scores)[-2] < 0.99


def test_static_agrees_with_transformer_on_paraphrase(static: StaticEncoder) -> None:
    a, b, c = static.encode([SENTENCE, PARAPHRASE, UNRELATED])
    assert a @ b > a @ c


@settings(max_examples=30, deadline=None)
@given(st.lists(st.text(max_size=80), max_size=6))
def test_static_rows_do_not_depend_on_batch(texts: list[str]) -> None:
    folder = Settings.load().model_dir
    if not (folder / "manifest.json").is_file():
        pytest.skip("encoder not built")
    static = StaticEncoder.load(folder)
    together = static.encode(texts)
    assert together.shape == (len(texts), 256)
    for row, text in zip(together, texts, strict=True):
        np.testing.assert_allclose(row, static.encode([text])[0], atol=1e-6)
        assert np.linalg.norm(row) == pytest.approx(1.0, abs=1e-4) or not row.any()


def test_missing_folder_raises_model_error_with_build_hint(tmp_path: Path) -> None:
    for loader in (SentenceEncoder.load, StaticEncoder.load):
        with pytest.raises(ModelError, match="sourcetrace.model_build"):
            loader(tmp_path / "absent")


def test_missing_file_is_named(tmp_path: Path, model_dir: Path) -> None:
    copy = tmp_path / "model"
    shutil.copytree(model_dir, copy)
    (copy / "encoder.int8.onnx").unlink()
    with pytest.raises(ModelError, match="encoder.int8.onnx"):
        SentenceEncoder.load(copy)


@pytest.mark.parametrize(
    ("name", "loader"), [("encoder.int8.onnx", SentenceEncoder.load), ("static.npy", StaticEncoder.load)]
)
def test_tampered_file_fails_checksum(tmp_path: Path, model_dir: Path, name: str, loader) -> None:
    copy = tmp_path / "model"
    shutil.copytree(model_dir, copy)  # a real copy: the built files stay untouched
    target = copy / name
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="checksum"):
        loader(copy)


def test_sif_weights_mute_frequent_tokens_and_specials() -> None:
    vocab = 30522
    counts = np.zeros(vocab)
    characters = np.zeros(vocab, dtype=bool)
    characters[FIRST_CHAR:FIRST_WORD] = True
    period, rare_char = 1012, 1500
    counts[period] = 500
    counts[FIRST_WORD + 5] = 3
    weights = sif_weights(counts, characters)
    assert np.all(weights[:FIRST_CHAR] == 0)
    assert 0 < weights[FIRST_WORD] < weights[FIRST_WORD + 100] < weights[vocab - 1] <= 1
    # a character seen often is muted like a frequent word; an unseen one counts as rare
    assert weights[period] < 0.2 < 0.9 < weights[rare_char]


def test_pca_projects_onto_leading_axes() -> None:
    rng = np.random.default_rng(0)
    data = rng.normal(size=(500, 8)) * np.array([10, 5, 1, 1, 0.1, 0.1, 0.1, 0.1])
    projected = pca(data, np.ones(500, dtype=bool), 2)
    assert projected.shape == (500, 2)
    assert np.var(projected[:, 0]) > np.var(projected[:, 1]) > 10
    assert abs(float(np.mean(projected[:, 0]))) < 1e-6


def test_build_refuses_weights_that_fail_the_checksum(tmp_path: Path) -> None:
    (tmp_path / "model.safetensors").write_bytes(b"not the pinned weights")
    with pytest.raises(ModelError, match="model.safetensors"):
        verify_weights(tmp_path)


def test_encoders_give_the_same_rows_when_threads_encode_at_once(model_dir: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    static = StaticEncoder(np.load(model_dir / "static.npy"), StaticEncoder.load(model_dir)._tokenizer, max_words=300)
    sentence = SentenceEncoder.load(model_dir, threads=2)
    # new words in every batch, and a word table small enough to be reset while others read it
    batches = [[f"Word{k}x{i} and {SENTENCE} number {k * 7 + i}" for i in range(40)] for k in range(24)]
    with ThreadPoolExecutor(8) as pool:
        static_rows = list(pool.map(static.encode, batches))
        sentence_rows = list(pool.map(sentence.encode, batches[:6]))
    for batch, rows in zip(batches, static_rows, strict=True):
        np.testing.assert_allclose(rows, static.encode(batch), atol=1e-6)
    for batch, rows in zip(batches[:6], sentence_rows, strict=True):
        assert np.array_equal(rows, SentenceEncoder.load(model_dir, threads=1).encode(batch))
