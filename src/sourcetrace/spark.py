"""The pipeline on Apache Spark: the same stages and the same results as :func:`sourcetrace.scan`, on a cluster.

    sourcetrace spark-scan INPUT... OUTPUT [--master URL] [--partitions N]

Every per-article step calls the library's own functions inside partitions (the encoders load once per Python
worker); what needs the whole collection is an aggregation, a shuffle by key or a broadcast, never a collect of
the articles:

1. ingest: text and HTML files, JSON lines and Parquet from any path Spark reads; ids as ``scan`` gives them;
   articles are ordered by id, so neither the input order nor the partitioning changes a result;
2.-3. paragraphs repeated across the collection counted by key; then clean and segment each article alone;
4. candidates: the collection's mean static sentence vector by aggregation; MinHash and SimHash band keys grouped
   by key (over-full buckets skipped, as locally); each article's nearest articles by document vector, exact, in
   the same blocks of rows as locally, against a broadcast matrix; then support and gates pair by pair;
5.-8. the transformer on the sentences some gated pair needs, in the very batches the local engine forms (its
   int8 activations are quantised per batch, so a batch's make-up moves every vector in it a little), then
   :func:`sourcetrace.pipeline.relate` per pair;
9. stories: event-term vectors with collection-wide weights, an exact similarity join with prefix filtering
   (no all-pairs product), distributed connected components, then the local average-linkage cut in each block.

Output: Parquet tables ``articles``, ``pairs``, ``passages``, ``stories`` and ``errors`` under OUTPUT, and
``summary.json`` beside them. :func:`load_report` turns them back into the JSON report of ``scan``.
PySpark is imported only here: the default install never needs it.
"""

from __future__ import annotations

import json
import math
import os
import posixpath
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict
from operator import add
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote

import numpy as np

# absolute imports: spark-submit may run this file as a script
from sourcetrace import candidates as cands
from sourcetrace import stories as story_rules
from sourcetrace.clean import RepeatedParagraphs, _normalise, _reads_as_boilerplate, paragraph_key
from sourcetrace.encoder import SentenceEncoder, StaticEncoder
from sourcetrace.errors import InputError, ModelError, SourcetraceError
from sourcetrace.ingest import KINDS, _Found, _from_html, _from_record, decode, normalise_text
from sourcetrace.pipeline import prepare, relate
from sourcetrace.records import Article, FileError, Pair
from sourcetrace.report import SCHEMA, article_dict, divergence_dict, pair_dict
from sourcetrace.settings import Settings

TABLES = ("articles", "pairs", "passages", "stories", "errors")
SUMMARY = "summary.json"
SPARK_KINDS = {**KINDS, ".parquet": "parquet"}
ENCODE_BATCH = 64  # SentenceEncoder.encode's batch: the local engine's batches are rebuilt with this size
DOC_BLOCK = 2048  # candidates.nearest_documents' rows per block: the same blocks give bit-identical cosines
MIN_ARTICLES = 3  # clean.repeated_paragraphs' default, as pipeline.featurise uses it

Progress = Callable[[str], None]


class SparkJobError(SourcetraceError):
    """The Spark job could not run (no session, an unreadable output folder)."""


# ---------------------------------------------------------------------------------------------------------------
# Entry points


def session(master: str | None = None, partitions: int | None = None) -> Any:
    """A SparkSession for the job: the one spark-submit configured, else a local one on ``master`` (or all cores)."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("sourcetrace")
    if master:
        builder = builder.master(master)
    if (master or "local").startswith("local") and "PYSPARK_PYTHON" not in os.environ:
        # local workers must run this interpreter, which has sourcetrace installed; a cluster sets its own
        os.environ["PYSPARK_PYTHON"] = sys.executable
    # one BLAS and one ONNX thread per task: Spark already runs one task per core
    builder = (
        builder.config("spark.executorEnv.OPENBLAS_NUM_THREADS", "1")
        .config("spark.executorEnv.OMP_NUM_THREADS", "1")
        .config("spark.ui.showConsoleProgress", "false")
    )
    if partitions:
        builder = builder.config("spark.sql.shuffle.partitions", str(partitions))
    return builder.getOrCreate()


def spark_scan(
    inputs: Sequence[str],
    output: str,
    settings: Settings | None = None,
    spark: Any = None,
    partitions: int | None = None,
    overwrite: bool = False,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Run stages 1-9 on Spark over ``inputs`` and write the tables and ``summary.json`` under ``output``.

    Returns the summary: counts, relations, seconds per stage. ``partitions`` defaults to four per core.
    """
    settings = settings or Settings.load()
    spark = spark or session()
    sc = spark.sparkContext
    partitions = partitions or max(2, 4 * sc.defaultParallelism)
    job = _Job(spark, settings, partitions, progress or (lambda _: None))
    _check_output(spark, output, overwrite)
    job.check_model()
    raw, errors = job.ingest(inputs)
    arts, feats, prep_errors = job.featurise(raw)
    n = feats.count()
    job.mark("clean, segment, static vectors, signatures")
    cand = job.candidates(feats, n)
    pairs = job.related(arts, feats, cand, n)
    stories = job.stories(arts, pairs, n)
    summary = job.write(output, arts, pairs, stories, errors.union(prep_errors), overwrite)
    summary["candidates"] = job.candidate_count
    summary["seconds"] = {k: round(v, 3) for k, v in job.seconds.items()}
    summary["partitions"] = partitions
    summary["spark"] = spark.version
    summary["master"] = sc.master
    _write_text(spark, posixpath.join(output, SUMMARY), json.dumps(summary, indent=2) + "\n")
    for rdd in job.persisted:
        rdd.unpersist()
    return summary


def load_report(output: str, spark: Any = None) -> dict[str, Any]:
    """The JSON report (schema of ``scan --format json``) rebuilt from spark-scan's tables; for small outputs."""
    spark = spark or session()

    def rows(table: str) -> list[Any]:
        return spark.read.parquet(posixpath.join(output, table)).collect()

    passages: dict[tuple[str, str], list[Any]] = {}
    for p in rows("passages"):
        passages.setdefault((p["a"], p["b"]), []).append(p)
    pairs = []
    for p in sorted(rows("pairs"), key=lambda r: (r["a"], r["b"])):
        found = sorted(passages.get((p["a"], p["b"]), []), key=lambda r: r["passage"])
        pairs.append(
            {
                "a": p["a"],
                "b": p["b"],
                "relation": p["relation"],
                "score": p["score"],
                "source": p["source"],
                "source_reasons": list(p["source_reasons"]),
                "coverage": {"a": p["coverage_a"], "b": p["coverage_b"]},
                "passages": [
                    {
                        "a_span": [x["a_start"], x["a_end"]],
                        "b_span": [x["b_start"], x["b_end"]],
                        "sentences": [
                            {"a": s["a"], "b": s["b"], "similarity": s["similarity"], "verbatim": s["verbatim"]}
                            for s in x["sentences"]
                        ],
                    }
                    for x in found
                ],
                "divergences": [
                    {**d.asDict(), "a_span": _span(d["a_span"]), "b_span": _span(d["b_span"])} for d in p["divergences"]
                ],
            }
        )
    articles = [
        {**a.asDict(recursive=True), "removed": [r.asDict() for r in a["removed"]]}
        for a in sorted(rows("articles"), key=lambda r: r["id"])
    ]
    stories = sorted(rows("stories"), key=lambda r: int(r["id"][1:]))
    return {
        "schema": SCHEMA,
        "articles": articles,
        "pairs": pairs,
        "stories": [{"id": s["id"], "articles": list(s["articles"]), "label": s["label"]} for s in stories],
        "errors": [{"path": e["path"], "reason": e["reason"]} for e in sorted(rows("errors"), key=lambda r: r["path"])],
    }


def _span(value: Any) -> list[int] | None:
    return list(value) if value is not None else None


def _check_output(spark: Any, output: str, overwrite: bool) -> None:
    jvm, conf = spark.sparkContext._jvm, spark.sparkContext._jsc.hadoopConfiguration()
    path = jvm.org.apache.hadoop.fs.Path(output)
    fs = path.getFileSystem(conf)
    if fs.exists(path):
        if not overwrite:
            raise SparkJobError(f"{output} exists; choose a new output folder or pass --overwrite")
        fs.delete(path, True)


def _write_text(spark: Any, path: str, text: str) -> None:
    """One small file on any file system Spark writes to (the summary)."""
    jvm, conf = spark.sparkContext._jvm, spark.sparkContext._jsc.hadoopConfiguration()
    target = jvm.org.apache.hadoop.fs.Path(path)
    stream = target.getFileSystem(conf).create(target, True)
    try:
        stream.write(bytearray(text.encode("utf-8")))
    finally:
        stream.close()


# ---------------------------------------------------------------------------------------------------------------
# The job


class _Job:
    """The stages, each a function of RDDs; ``seconds`` times them (each ends with an action)."""

    def __init__(self, spark: Any, settings: Settings, partitions: int, progress: Progress) -> None:
        self.spark = spark
        self.sc = spark.sparkContext
        self.settings = settings
        self.partitions = partitions
        self.progress = progress
        self.seconds: dict[str, float] = {}
        self.persisted: list[Any] = []
        self.candidate_count = 0
        self._since = time.perf_counter()

    def mark(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self._since
        self._since = now
        self.progress(f"{stage}: {self.seconds[stage]:.1f} s")

    def keep(self, rdd: Any) -> Any:
        from pyspark import StorageLevel

        rdd.persist(StorageLevel.MEMORY_AND_DISK)
        self.persisted.append(rdd)
        return rdd

    def check_model(self) -> None:
        """Load the encoders once on an executor, so that a missing model fails fast with its own message."""
        settings = self.settings
        problem = self.sc.parallelize([0], 1).map(lambda _: _model_problem(settings)).collect()[0]
        if problem:
            raise ModelError(problem)
        self.mark("start")

    # -- 1. ingest -------------------------------------------------------------------------------------------

    def ingest(self, inputs: Sequence[str]) -> tuple[Any, Any]:
        """Raw articles as (order key, Article), and FileErrors; duplicates of an id after the first are errors."""
        parts, errors = [], []
        claimed: dict[str, int] = {}  # a file reached through two inputs is read once, for the first
        for index, given in enumerate(inputs):
            found, problems = _read_input(self.spark, index, given, claimed, self.settings.ingest.max_file_bytes)
            parts.extend(found)
            errors.extend(problems)
        sc = self.sc
        tagged = sc.union(parts) if parts else sc.emptyRDD()
        tagged = self.keep(tagged)
        raw = tagged.filter(lambda r: isinstance(r[1], Article))
        read_errors = tagged.filter(lambda r: isinstance(r[1], FileError))
        raw, duplicate_errors = _first_of_each_id(sc, raw)
        all_errors = sc.parallelize(errors, 1).union(read_errors).union(duplicate_errors)
        self.mark("ingest")
        return raw, all_errors

    # -- 2.-4. per-article stages ------------------------------------------------------------------------------

    def featurise(self, raw: Any) -> tuple[Any, Any, Any]:
        """(k, Article) prepared, (k, (static vectors, signature)), and the FileErrors of articles left empty.

        ``k`` is the article's rank by id among prepared articles, the index the local engine uses when it reads
        the same articles in id order.
        """
        settings, p = self.settings, self.partitions
        ordered = self.keep(raw.sortBy(lambda r: r[1].id, numPartitions=p).map(lambda r: r[1]))
        counts = _repeated_paragraphs(ordered)
        repeated = self.sc.broadcast(counts)
        tagged = self.keep(ordered.mapPartitions(lambda rows: _featurise_partition(rows, repeated.value, settings)))
        errors = tagged.filter(lambda r: r[0] == "e").map(lambda r: ((9, r[1].path), r[1]))
        indexed = tagged.filter(lambda r: r[0] == "a").map(lambda r: r[1]).zipWithIndex().map(lambda r: (r[1], r[0]))
        indexed = self.keep(indexed.partitionBy(p))
        arts = indexed.mapValues(lambda f: f[0])
        feats = indexed.mapValues(lambda f: (f[1], f[2]))
        return arts, feats, errors

    # -- 4. candidates -----------------------------------------------------------------------------------------

    def candidates(self, feats: Any, n: int) -> Any:
        """Candidate pairs that pass the support test, as (a, b, lexical, gate) with the static gate matrix."""
        cs = self.settings.candidates
        p = self.partitions
        total = feats.map(lambda kv: (kv[1][0].sum(axis=0, dtype=np.float64), len(kv[1][0]))).fold(
            (np.zeros(1, np.float64), 0), lambda x, y: (x[0] + y[0], x[1] + y[1])
        )
        mean = (total[0] / max(total[1], 1)).astype(np.float32) if total[1] else np.zeros(1, np.float32)
        mean_b = self.sc.broadcast(mean)
        centred = self.keep(feats.mapValues(lambda f: _centre(f[0], mean_b.value)))
        centred.count()
        self.mark("candidates: mean vector")
        # 1. lexical: MinHash bands of whole articles
        lexical_keys = feats.map(lambda kv: _lexical_keys(kv[0], kv[1][1], cs.minhash_bands))
        lexical = _bucket_pairs(lexical_keys, cs.max_bucket, p)
        # 2. shared sentences: SimHash bands of centred sentence vectors
        sentence_keys = centred.map(lambda kv: _sentence_keys(kv[0], kv[1], cs.vector_bits, cs.vector_bands))
        shared = _bucket_pairs(sentence_keys, cs.max_bucket, p)
        # 3. similar articles: exact top-k by document vector, in the local engine's blocks
        docs = np.zeros((n, 0), np.float32)
        if n:
            rows = centred.mapValues(lambda v: cands.document_vectors([v])[0]).collect()
            docs = np.zeros((n, len(rows[0][1])), np.float32)
            for k, v in rows:
                docs[k] = v
        docs_b = self.sc.broadcast(docs)
        starts = list(range(0, n, DOC_BLOCK))
        similar = self.sc.parallelize(starts, max(1, len(starts))).flatMap(
            lambda s: _nearest_block(docs_b.value, s, cs.neighbours, cs.document_cosine)
        )
        codes = _union_pairs(lexical.map(lambda c: (c, 1)).union(shared.map(lambda c: (c, 0))).union(
            similar.map(lambda c: (c, 0))
        ), p)
        self.mark("candidates: band keys and neighbours")
        # 4. support and gates, pair by pair
        pairs = codes.flatMap(lambda t: _decode_pairs(t, n))  # (a, (b, lexical))
        with_a = pairs.join(centred, p).map(lambda r: (r[1][0][0], (r[0], r[1][0][1], r[1][1])))
        both = with_a.join(centred, p)
        settings = self.settings
        gated = self.keep(both.flatMap(lambda r: _support_and_gate(r[0], r[1][0], r[1][1], settings)))
        self.candidate_count = gated.count()
        docs_b.unpersist()
        mean_b.unpersist()
        self.mark("candidates: support")
        return gated

    # -- 5.-8. align, classify, divergences, attribute -----------------------------------------------------------

    def related(self, arts: Any, feats: Any, gated: Any, n: int) -> Any:
        """Pairs that share material, keyed by (a, b) indexes."""
        settings, p = self.settings, self.partitions
        needed = gated.flatMap(_needed_rows).reduceByKey(lambda x, y: x | y, p)
        # the texts of the needed sentences, with their token counts: the local engine's batch order
        keyed = needed.join(arts, p).flatMap(lambda r: _needed_sentences(r[0], r[1][1], r[1][0], settings))
        ranked = keyed.sortByKey(numPartitions=p).zipWithIndex()
        batches = ranked.map(lambda r: (r[1] // ENCODE_BATCH, r[0][0])).groupByKey(p)
        vectors = batches.flatMap(lambda r: _encode_batch(list(r[1]), settings)).groupByKey(p).mapValues(dict)
        payload = arts.leftOuterJoin(vectors, p).mapValues(lambda r: (r[0], r[1] or {}))
        with_a = gated.map(lambda c: (c[0], c)).join(payload, p).map(lambda r: (r[1][0][1], (r[1][0], r[1][1])))
        both = with_a.join(payload, p)
        pairs = self.keep(both.flatMap(lambda r: _relate(r[1][0][0], r[1][0][1], r[1][1], settings)))
        count = pairs.count()
        self.mark("align")
        self.progress(f"{count} related pairs")
        return pairs

    # -- 9. stories ----------------------------------------------------------------------------------------------

    def stories(self, arts: Any, pairs: Any, n: int) -> Any:
        """Stories as (story id, sorted article ids, label)."""
        threshold = self.settings.stories.link_threshold
        p = self.partitions
        common = frozenset(arts.flatMap(lambda kv: story_rules._common_words([kv[1]])).distinct().collect())
        common_b = self.sc.broadcast(common)
        counts = self.keep(arts.mapValues(lambda a: story_rules.event_terms(a, common_b.value)))
        df = counts.flatMap(lambda kv: [(t, 1) for t in kv[1]]).reduceByKey(add, p)
        # (k, {term: weight}) rows of the local engine's term matrix, normalised the same way
        by_term = counts.flatMap(lambda kv: [(t, (kv[0], tf)) for t, tf in kv[1].items()])
        weighted = by_term.join(df, p).flatMap(lambda r: _weight(r[0], r[1][0], r[1][1], n))
        rows = self.keep(weighted.groupByKey(p).mapValues(_unit_row))
        edges = _term_edges(rows, threshold, p)
        material = pairs.map(lambda r: ((r[1][0], r[1][1]), story_rules.MATERIAL[r[1][2].relation]))
        dates = arts.mapValues(lambda a: a.date)
        linked = edges.union(material).reduceByKey(max, p).filter(lambda e: e[1] >= threshold)
        linked = _veto_far_apart(linked, dates, p)
        linked = self.keep(linked)
        roots = _connected_components(linked.keys(), p)
        self.mark("stories: links and components")
        blocks = _cut_blocks(roots, rows, arts, linked, threshold, p)
        named = _name_stories(blocks, arts, roots, p)
        common_b.unpersist()
        return named

    # -- output --------------------------------------------------------------------------------------------------

    def write(self, output: str, arts: Any, pairs: Any, stories: Any, errors: Any, overwrite: bool) -> dict[str, Any]:
        spark, mode = self.spark, "overwrite" if overwrite else "errorifexists"
        schemas = _schemas()
        pair_rows = pairs.map(lambda r: _pair_row(r[1][2]))
        passage_rows = pairs.flatMap(lambda r: _passage_rows(r[1][2]))
        article_rows = arts.map(lambda kv: _article_row(kv[1]))
        story_rows = stories.map(lambda s: (s[0], list(s[1]), s[2]))
        error_rows = errors.map(lambda r: (r[1].path, r[1].reason))
        for name, rdd in zip(
            TABLES, (article_rows, pair_rows, passage_rows, story_rows, error_rows), strict=True
        ):
            spark.createDataFrame(rdd, schemas[name]).write.mode(mode).parquet(posixpath.join(output, name))
        relations = dict(sorted(pairs.map(lambda r: (r[1][2].relation, 1)).reduceByKey(add).collect()))
        summary = {
            "schema": SCHEMA,
            "articles": arts.count(),
            "pairs": sum(relations.values()),
            "relations": relations,
            "stories": stories.count(),
            "errors": errors.count(),
            "settings": json.loads(json.dumps(asdict(self.settings), default=str)),
        }
        self.mark("write")
        return summary


# ---------------------------------------------------------------------------------------------------------------
# 1. ingest


def _read_input(
    spark: Any, index: int, given: str, claimed: dict[str, int], limit: int
) -> tuple[list[Any], list[tuple[tuple[Any, ...], FileError]]]:
    """RDDs of (order key, Article or FileError) for one input path, and the errors found on the driver."""
    from pyspark.sql.utils import AnalysisException

    jvm, conf = spark.sparkContext._jvm, spark.sparkContext._jsc.hadoopConfiguration()
    path = jvm.org.apache.hadoop.fs.Path(given)
    fs = path.getFileSystem(conf)
    if not fs.exists(path):
        return [], [((index, "", 0), FileError(given, "does not exist; check the path"))]
    root = unquote(fs.makeQualified(path).toString())
    is_dir = fs.getFileStatus(path).isDirectory()
    try:
        listing = spark.read.format("binaryFile").option("recursiveFileLookup", str(is_dir).lower()).load(given)
        files = [(unquote(r["path"]), int(r["length"])) for r in listing.select("path", "length").collect()]
    except AnalysisException as exc:
        return [], [((index, "", 0), FileError(given, f"cannot be listed: {exc}"))]
    errors: list[tuple[tuple[Any, ...], FileError]] = []
    chosen: dict[str, list[tuple[str, str, int]]] = {}  # suffix as spelt -> (file, relative path, size)
    for file, size in sorted(files):
        rel = posixpath.relpath(file, root) if is_dir else posixpath.basename(file)
        suffix = PurePosixPath(file).suffix
        kind = SPARK_KINDS.get(suffix.lower())
        if kind is None:
            if not is_dir:
                shown_kind = f"'{suffix}'" if suffix else "a file without extension"
                errors.append(
                    ((index, rel, 0), FileError(given, f"unsupported file type {shown_kind}; spark-scan reads "
                                                        ".txt, .html, .htm, .jsonl or .parquet files"))
                )
            continue
        if claimed.setdefault(file, index) != index:
            continue
        shown = os.path.join(given, rel) if is_dir else given
        if kind in ("text", "html") and size == 0:
            errors.append(((index, rel, 0), FileError(shown, "is empty; remove it or add the article text")))
        elif kind in ("text", "html") and size > limit:
            errors.append(
                (
                    (index, rel, 0),
                    FileError(
                        shown,
                        f"is {size:,} bytes, over the limit of {limit:,} (ingest.max_file_bytes); "
                        "split it into one file per article or raise the limit",
                    ),
                )
            )
        else:
            chosen.setdefault(suffix, []).append((file, rel, size))
    parts = []
    for suffix, group in sorted(chosen.items()):
        kind = SPARK_KINDS[suffix.lower()]
        names = {file: (rel, os.path.join(given, rel) if is_dir else given) for file, rel, _ in group}
        reader = spark.read.option("recursiveFileLookup", str(is_dir).lower())
        if is_dir:
            reader = reader.option("pathGlobFilter", f"*{suffix}")
        if kind in ("text", "html"):
            frame = reader.format("binaryFile").load(given).where(f"length > 0 AND length <= {limit}")
            parts.append(
                frame.select("path", "content").rdd.flatMap(
                    lambda r, kind=kind, names=names, is_dir=is_dir: _file_article(r, kind, names, index, is_dir)
                )
            )
        else:
            frame = reader.text(given) if kind == "jsonl" else reader.parquet(given)
            parts.append(_numbered_records(spark, frame, kind, names, index, limit))
            empty = _empty_jsonl(spark, frame, names, index) if kind == "jsonl" else []
            errors.extend(empty)
    return parts, errors


def _file_article(row: Any, kind: str, names: dict[str, tuple[str, str]], index: int, is_dir: bool) -> list[Any]:
    """One .txt or .html file as (order key, Article or FileError), the way ``scan`` reads it."""
    file = unquote(row["path"])
    if file not in names:
        return []
    rel, shown = names[file]
    article_id = PurePosixPath(rel).with_suffix("").as_posix() if is_dir else PurePosixPath(rel).stem
    key = (index, rel, 0)
    try:
        text = decode(bytes(row["content"]), shown)
        if kind == "html":
            return [(key, _from_html(text, article_id, shown))]
        text = normalise_text(text)
        if not text.strip():
            raise InputError(shown, "has no text (only white space); remove it or add the article text")
        return [(key, Article(id=article_id, path=shown, text=text))]
    except InputError as exc:
        return [(key, FileError(exc.path, exc.reason))]


def _with_positions(spark: Any, frame: Any) -> Any:
    """The frame with its file and a 1-based position in that file (line of a JSON-lines file, row of Parquet).

    A file split's rows are consecutive in one partition, so the position is the split's first line (from the
    sizes of the splits before it) plus the distance from the split's first row.
    """
    from pyspark.sql import functions as F

    framed = frame.select(
        "*",
        F.col("_metadata.file_path").alias("_file"),
        F.col("_metadata.file_block_start").alias("_block"),
        F.monotonically_increasing_id().alias("_row"),
    )
    framed = framed.persist()
    splits = framed.groupBy("_file", "_block").agg(F.count("*").alias("n"), F.min("_row").alias("first")).collect()
    starts: dict[tuple[str, int], tuple[int, int]] = {}
    line: dict[str, int] = {}
    for split in sorted(splits, key=lambda s: (s["_file"], s["_block"])):
        file = split["_file"]
        starts[(file, split["_block"])] = (split["first"], line.get(file, 0))
        line[file] = line.get(file, 0) + split["n"]
    return framed, spark.sparkContext.broadcast(starts)


def _numbered_records(
    spark: Any, frame: Any, kind: str, names: dict[str, tuple[str, str]], index: int, limit: int
) -> Any:
    framed, starts = _with_positions(spark, frame)

    def records(row: Any) -> list[Any]:
        file = unquote(row["_file"])
        if file not in names:
            return []
        rel, shown = names[file]
        first, before = starts.value[(row["_file"], row["_block"])]
        number = before + row["_row"] - first + 1
        where = f"{shown}:{number}"
        key = (index, rel, number)
        if kind == "jsonl":
            raw = row["value"].encode("utf-8")
            if number == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            if not raw.strip():
                return []
        else:
            record = {k: v for k, v in row.asDict().items() if not k.startswith("_")}
            raw = json.dumps(record, ensure_ascii=False, default=_iso).encode("utf-8")
        if len(raw) > limit:
            reason = (
                f"line {number} is over the limit of {limit:,} bytes (ingest.max_file_bytes); "
                "shorten the record or raise the limit"
            )
            return [(key, FileError(where, reason))]
        try:
            return [(key, _from_record(raw, number, where))]
        except InputError as exc:
            return [(key, FileError(exc.path, exc.reason))]

    return framed.rdd.flatMap(records)


def _iso(value: Any) -> str:
    """Parquet dates and timestamps as ISO text, the form a JSON-lines ``published`` field has."""
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    raise TypeError(f"cannot represent {type(value).__name__} in a record")


def _empty_jsonl(
    spark: Any, frame: Any, names: dict[str, tuple[str, str]], index: int
) -> list[tuple[tuple[Any, ...], FileError]]:
    """JSON-lines files without one record: an error each, as ``scan`` reports them."""
    from pyspark.sql import functions as F

    full = frame.where(F.length(F.trim(F.regexp_replace("value", "^\ufeff", ""))) > 0)
    seen = {unquote(r["f"]) for r in full.select(F.col("_metadata.file_path").alias("f")).distinct().collect()}
    return [
        ((index, rel, 0), FileError(shown, "is empty (no JSON records); remove it or add one article per line"))
        for file, (rel, shown) in sorted(names.items())
        if file not in seen
    ]


def _first_of_each_id(sc: Any, raw: Any) -> tuple[Any, Any]:
    """Keep the first article read for each id (by input, path and line); the later ones become errors."""
    twice = raw.map(lambda r: (r[1].id, 1)).reduceByKey(add).filter(lambda kv: kv[1] > 1).keys().collect()
    if not twice:
        return raw, sc.emptyRDD()
    ids = sc.broadcast(frozenset(twice))
    found = _Found()
    for _, article in sorted(raw.filter(lambda r: r[1].id in ids.value).collect(), key=lambda r: r[0]):
        found.add(article)
    kept = {(a.id, a.path) for a in found.articles}
    dropped = sc.parallelize([((8, e.path), e) for e in found.errors], 1)
    return raw.filter(lambda r: r[1].id not in ids.value or (r[1].id, r[1].path) in kept), dropped


# ---------------------------------------------------------------------------------------------------------------
# 2.-4. per article


def _paragraph_examples(article: Article) -> list[tuple[str, str]]:
    """(paragraph key, first line with it) for each distinct paragraph, as clean.repeated_paragraphs counts them."""
    keys: dict[str, str] = {}
    for line in _normalise(article.text).split("\n"):
        if line:
            keys.setdefault(paragraph_key(line), line)
    return list(keys.items())


def _repeated_paragraphs(ordered: Any) -> dict[str, int]:
    """clean.repeated_paragraphs over the collection, by key: counts, and the example line of the first article."""
    indexed = ordered.zipWithIndex()
    counted = indexed.flatMap(lambda r: [(key, (1, r[1], line)) for key, line in _paragraph_examples(r[0])])
    merged = counted.reduceByKey(lambda x, y: (x[0] + y[0], *min(x[1:], y[1:])))
    least = max(MIN_ARTICLES, 2)
    found = merged.filter(lambda kv: kv[1][0] >= least and _reads_as_boilerplate(kv[1][2]))
    return dict(found.map(lambda kv: (kv[0], kv[1][0])).collect())


def _featurise_partition(rows: Iterable[Article], counts: dict[str, int], settings: Settings) -> Iterator[Any]:
    """pipeline._featurise_chunk on one partition: clean, segment, static vectors, MinHash signatures."""
    articles = list(rows)
    if not articles:
        return
    prepared, errors = prepare(articles, RepeatedParagraphs(counts))
    for error in errors:
        yield ("e", error)
    if not prepared:
        return
    encoder = StaticEncoder.load(settings.model_dir)
    flat = encoder.encode([s.text for a in prepared for s in a.sentences])
    bounds = np.cumsum([0] + [len(a.sentences) for a in prepared])
    signatures = cands.minhash_signatures([a.text for a in prepared], settings.candidates)
    for k, article in enumerate(prepared):
        yield ("a", (article, np.ascontiguousarray(flat[bounds[k] : bounds[k + 1]]), signatures[k]))


def _model_problem(settings: Settings) -> str | None:
    try:
        StaticEncoder.load(settings.model_dir)
        SentenceEncoder.load(settings.model_dir, threads=1)
    except ModelError as exc:
        return str(exc)
    return None


# ---------------------------------------------------------------------------------------------------------------
# 4. candidates


def _centre(vectors: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """candidates.centre with the collection's mean given (computed by aggregation)."""
    if len(vectors) == 0:
        return vectors
    centred = vectors - mean[None, :]
    norms = np.linalg.norm(centred, axis=1, keepdims=True)
    return centred / np.maximum(norms, 1e-9)


def _lexical_keys(k: int, signature: np.ndarray, bands: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    keys = cands.band_keys(signature[None, :], bands)[0]
    return np.arange(bands, dtype=np.int64), keys, np.full(bands, k, dtype=np.int64)


def _sentence_keys(k: int, centred: np.ndarray, bits: int, bands: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    keys = cands.simhash_keys(centred, bits, bands) if len(centred) else np.zeros((0, bands), np.uint64)
    m = len(keys)
    return np.tile(np.arange(bands, dtype=np.int64), m), keys.reshape(-1), np.full(m * bands, k, dtype=np.int64)


def _bucket_pairs(tables: Any, max_bucket: int, partitions: int) -> Any:
    """Article pairs sharing a (band, key) bucket of at most ``max_bucket`` rows, as codes (a, b) with a < b.

    Rows travel as numpy tables routed by bucket, so each bucket meets whole in one task, where
    candidates.bucket_pairs decides it exactly as it does locally.
    """

    def route(tables: Iterable[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> Iterator[tuple[int, Any]]:
        parts = list(tables)
        if not parts:
            return
        band = np.concatenate([t[0] for t in parts])
        key = np.concatenate([t[1] for t in parts]).astype(np.uint64)
        owner = np.concatenate([t[2] for t in parts])
        with np.errstate(over="ignore"):
            target = ((key ^ (band.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15))) % np.uint64(partitions)).astype(
                np.int64
            )
        for r in np.unique(target):
            chosen = target == r
            yield int(r), (band[chosen], key[chosen], owner[chosen])

    def decide(parts: Iterable[tuple[int, Any]]) -> Iterator[tuple[int, int]]:
        tables = [t for _, t in parts]
        if not tables:
            return
        band = np.concatenate([t[0] for t in tables])
        key = np.concatenate([t[1] for t in tables])
        owner = np.concatenate([t[2] for t in tables])
        for b in np.unique(band):
            rows = np.flatnonzero(band == b)
            found = cands.bucket_pairs(key[rows][:, None], owner[rows], max_bucket)
            if len(found):
                pairs = np.sort(owner[rows][found], axis=1)
                for a, c in np.unique(pairs, axis=0):
                    yield int(a), int(c)

    routed = tables.mapPartitions(route).partitionBy(partitions, lambda r: r)
    return routed.mapPartitions(decide)


def _nearest_block(docs: np.ndarray, start: int, k: int, min_cosine: float) -> list[tuple[int, int]]:
    """candidates.nearest_documents for the rows of one block: the same block, hence the same cosines."""
    n = len(docs)
    sims = docs[start : start + DOC_BLOCK] @ docs.T
    rows = np.arange(start, min(start + DOC_BLOCK, n))
    sims[rows - start, rows] = -1.0
    if n <= 1:
        return []
    top = np.argpartition(-sims, min(k, n - 1) - 1, axis=1)[:, :k]
    keep = np.take_along_axis(sims, top, axis=1) >= min_cosine
    pairs = np.stack([np.repeat(rows, keep.sum(axis=1)), top[keep]], axis=1)
    pairs.sort(axis=1)
    return [(int(a), int(b)) for a, b in pairs]


def _union_pairs(flagged: Any, partitions: int) -> Any:
    """Unique pairs with the OR of their lexical flags."""
    return flagged.reduceByKey(max, partitions)


def _decode_pairs(item: tuple[tuple[int, int], int], n: int) -> list[tuple[int, tuple[int, bool]]]:
    (a, b), lexical = item
    return [(a, (b, bool(lexical)))]


def _support_and_gate(
    b: int, left: tuple[int, bool, np.ndarray], vb: np.ndarray, settings: Settings
) -> list[tuple[int, int, bool, np.ndarray]]:
    """find_candidates' support test, then related_pairs' static gate, for one pair."""
    a, lexical, va = left
    cs = settings.candidates
    hits = cands.sentence_support(va, vb, cs.static_cosine)
    if not (lexical or hits >= min(cs.min_sentence_hits, min(len(va), len(vb)))):
        return []
    gate = (va @ vb.T) >= settings.align.static_gate
    return [(a, b, lexical, gate)]


# ---------------------------------------------------------------------------------------------------------------
# 5.-8. related pairs


def _needed_rows(c: tuple[int, int, bool, np.ndarray]) -> list[tuple[int, frozenset[int]]]:
    a, b, _, gate = c
    rows, cols = np.nonzero(gate)
    return [(a, frozenset(rows.tolist())), (b, frozenset(cols.tolist()))]


def _needed_sentences(k: int, article: Article, rows: frozenset[int], settings: Settings) -> list[Any]:
    """((token count, k, i, text), None) per needed sentence: the sort key of SentenceEncoder.encode's batches."""
    tokenizer = SentenceEncoder.load(settings.model_dir, threads=1)._tokenizer
    chosen = sorted(rows)
    texts = [article.sentences[i].text for i in chosen]
    lengths = [len(e.ids) for e in tokenizer.encode_batch(texts)]
    return [((n, k, i, t), None) for n, i, t in zip(lengths, chosen, texts, strict=True)]


def _encode_batch(
    rows: list[tuple[int, int, int, str]], settings: Settings
) -> list[tuple[int, tuple[int, np.ndarray]]]:
    """One of the local engine's transformer batches: the same sentences, in the same order."""
    rows.sort()  # (token count, k, i): the order SentenceEncoder.encode gives them
    encoder = SentenceEncoder.load(settings.model_dir, threads=_task_threads())
    vectors = encoder.encode([t for _, _, _, t in rows], batch_size=ENCODE_BATCH)
    return [(k, (i, vectors[n])) for n, (_, k, i, _) in enumerate(rows)]


def _task_threads() -> int:
    from pyspark import TaskContext

    context = TaskContext.get()
    try:
        return max(1, int(context.cpus())) if context else 1
    except AttributeError:
        return 1


def _relate(
    c: tuple[int, int, bool, np.ndarray],
    left: tuple[Article, dict[int, np.ndarray]],
    right: tuple[Article, dict[int, np.ndarray]],
    settings: Settings,
) -> list[tuple[tuple[int, int], tuple[int, int, Pair]]]:
    """related_pairs' loop body for one candidate."""
    a, b, _, gate = c
    (article_a, vectors_a), (article_b, vectors_b) = left, right
    cosines = np.full(gate.shape, np.nan, dtype=np.float32)
    for i, j in zip(*np.nonzero(gate), strict=True):
        cosines[i, j] = float(vectors_a[int(i)] @ vectors_b[int(j)])
    pair = relate(article_a, article_b, cosines, settings)
    return [((a, b), (a, b, pair))] if pair is not None else []


# ---------------------------------------------------------------------------------------------------------------
# 9. stories


def _weight(term: str, entry: tuple[int, int], df: int, n: int) -> list[tuple[int, tuple[str, float]]]:
    """stories.term_vectors' weight of one term in one article, with the collection's document frequency."""
    k, tf = entry
    if not (df < n or n == 1):
        return []
    return [(k, (term, (1 + math.log(tf)) * math.log((1 + n) / (1 + df))))]


def _unit_row(items: Iterable[tuple[str, float]]) -> tuple[tuple[str, ...], np.ndarray]:
    """One row of stories.term_vectors: terms in vocabulary (sorted) order, normalised by the same sparse code."""
    from scipy.sparse import csr_matrix

    ordered = sorted(items)
    m = len(ordered)
    x = csr_matrix(([v for _, v in ordered], ([0] * m, list(range(m)))), shape=(1, max(m, 1)), dtype=np.float64)
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    x = csr_matrix(x.multiply(1 / np.maximum(norms, 1e-12)[:, None]))
    return tuple(t for t, _ in ordered), x.toarray()[0, :m]


def _dot(left: tuple[tuple[str, ...], np.ndarray], right: tuple[tuple[str, ...], np.ndarray]) -> float:
    """The entry of x @ x.T for two rows, summed in the order the sparse product sums it (vocabulary order)."""
    other = dict(zip(right[0], right[1].tolist(), strict=True))
    total = 0.0
    for term, value in zip(left[0], left[1].tolist(), strict=True):
        if term in other:
            total += value * other[term]
    return total


def _term_edges(rows: Any, threshold: float, partitions: int) -> Any:
    """((i, j), cosine) for i < j with event-term cosine >= ``threshold``: the entries of x @ x.T the local
    engine keeps, found without an all-pairs product.

    Prefix filtering: terms are ordered rarest first; an article indexes its terms up to the point where the
    rest could not reach the threshold even against the heaviest weight each term has anywhere. A pair reaching
    the threshold then shares a term one of the two indexes, and is checked exactly.
    """
    p = partitions
    entries = rows.flatMap(lambda kv: [(t, (kv[0], w)) for t, w in zip(kv[1][0], kv[1][1].tolist(), strict=True)])
    stats = entries.mapValues(lambda e: (1, e[1])).reduceByKey(lambda x, y: (x[0] + y[0], max(x[1], y[1])), p)
    annotated = entries.join(stats, p).map(lambda r: (r[1][0][0], (r[0], r[1][0][1], r[1][1][0], r[1][1][1])))
    marked = annotated.groupByKey(p).flatMap(lambda kv: _prefix(kv[0], kv[1], threshold))
    candidates = marked.groupByKey(p).flatMap(lambda kv: _sharing(list(kv[1]))).distinct(p)
    with_a = candidates.join(rows, p).map(lambda r: (r[1][0], (r[0], r[1][1])))
    both = with_a.join(rows, p)
    checked = both.map(lambda r: ((r[1][0][0], r[0]), _dot(r[1][0][1], r[1][1])))
    return checked.filter(lambda e: e[1] >= threshold)


def _prefix(k: int, entries: Iterable[tuple[str, float, int, float]], threshold: float) -> list[tuple[str, Any]]:
    """(term, (k, indexed)) for each term of article k; the frequent tail that cannot reach the threshold is not
    indexed."""
    ordered = sorted(entries, key=lambda e: (e[2], e[0]))  # rarest first
    bound, tail = 0.0, len(ordered)
    for pos in range(len(ordered) - 1, -1, -1):
        bound += ordered[pos][1] * ordered[pos][3]
        if bound >= threshold * (1 - 1e-9):
            break
        tail = pos
    return [(term, (k, pos < tail)) for pos, (term, *_) in enumerate(ordered)]


def _sharing(members: list[tuple[int, bool]]) -> Iterator[tuple[int, int]]:
    indexed = [k for k, flag in members if flag]
    everyone = [k for k, _ in members]
    for a in indexed:
        for b in everyone:
            if a != b:
                yield (a, b) if a < b else (b, a)


def _veto_far_apart(linked: Any, dates: Any, partitions: int) -> Any:
    """Drop links between articles published more than stories.MAX_DAYS_APART days apart."""
    p = partitions
    with_a = linked.map(lambda e: (e[0][0], e)).join(dates, p).map(lambda r: (r[1][0][0][1], (r[1][0], r[1][1])))
    both = with_a.join(dates, p)

    def kept(r: Any) -> list[Any]:
        (edge, date_a), date_b = r[1]
        days = story_rules._days_apart(date_a, date_b)
        return [] if days is not None and days > story_rules.MAX_DAYS_APART else [edge]

    return both.flatMap(kept)


def _connected_components(edges: Any, partitions: int) -> Any:
    """(vertex, smallest vertex of its component) for every vertex of ``edges`` ((i, j) pairs).

    Alternating large-star and small-star rounds (Kiveris et al., 2014): a few rounds even for long chains.
    """
    p = partitions

    def large_star(kv: tuple[int, Iterable[int]]) -> list[tuple[int, int]]:
        u, near = kv
        near = set(near)
        m = min(near | {u})
        return [(v, m) for v in near if v > u]

    def small_star(kv: tuple[int, Iterable[int]]) -> list[tuple[int, int]]:
        u, near = kv
        group = set(near) | {u}
        m = min(group)
        return [(v, m) for v in group if v != m]

    current = edges.map(lambda e: (max(e), min(e))).distinct(p).cache()
    while True:
        both_ways = current.flatMap(lambda e: [e, (e[1], e[0])])
        large = both_ways.groupByKey(p).flatMap(large_star).distinct(p)
        small = large.map(lambda e: (max(e), min(e))).groupByKey(p).flatMap(small_star).distinct(p).cache()
        changed = small.subtract(current, p).count() + current.subtract(small, p).count()
        current.unpersist()
        current = small
        if changed == 0:
            break
    roots = current.map(lambda e: (e[1], e[1])).distinct(p)
    return current.union(roots).reduceByKey(min, p)


def _cut_blocks(roots: Any, rows: Any, arts: Any, linked: Any, threshold: float, partitions: int) -> Any:
    """(k, group) for each article in a linked block: stories.cluster_stories' cut of each connected block."""
    p = partitions
    info = arts.mapValues(lambda a: a.date).leftOuterJoin(rows, p)  # (k, (date, row or None))
    members = roots.join(info, p).map(lambda r: (r[1][0], (r[0], r[1][1][0], r[1][1][1])))
    inner = linked.map(lambda e: (e[0][0], e)).join(roots, p).map(lambda r: (r[1][1], r[1][0]))
    return members.cogroup(inner, p).flatMap(lambda kv: _cut_block(list(kv[1][0]), list(kv[1][1]), threshold))


def _cut_block(members: list[Any], edges: list[Any], threshold: float) -> list[tuple[int, int]]:
    """The body of stories.cluster_stories' loop for one block: (k, group) with group = the sub-story's first k."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.sparse import csr_matrix

    members.sort(key=lambda m: m[0])
    ks = np.array([m[0] for m in members], dtype=np.int64)
    if len(ks) <= 2 or len(ks) > story_rules.MAX_BLOCK:
        return [(int(k), int(ks[0])) for k in ks]
    vocab = {t: c for c, t in enumerate(sorted({t for m in members if m[2] for t in m[2][0]}))}
    data, cols, bounds = [], [], [0]
    for _, _, row in members:
        if row:
            cols.extend(vocab[t] for t in row[0])
            data.extend(row[1].tolist())
        bounds.append(len(cols))
    x = csr_matrix((data, cols, bounds), shape=(len(ks), max(len(vocab), 1)), dtype=np.float64)
    local = {int(k): c for c, k in enumerate(ks)}
    block_sim = (x @ x.T).toarray()
    for (i, j), v in edges:
        block_sim[local[i], local[j]] = block_sim[local[j], local[i]] = v
    dates = [m[1] for m in members]
    for i, j in zip(*np.triu_indices(len(ks), k=1), strict=True):
        d = story_rules._days_apart(dates[i], dates[j])
        if d is not None and d > story_rules.MAX_DAYS_APART:
            block_sim[i, j] = block_sim[j, i] = 0.0
    condensed = np.clip(1.0 - block_sim[np.triu_indices(len(ks), k=1)], 0.0, 1.0)
    cut = fcluster(linkage(condensed, method="average"), t=1.0 - threshold, criterion="distance")
    out = []
    for c in np.unique(cut):
        group = ks[cut == c]
        out.extend((int(k), int(group[0])) for k in group)
    return out


def _name_stories(blocks: Any, arts: Any, roots: Any, partitions: int) -> Any:
    """(story id, sorted ids, label) as stories._name_stories gives them: biggest first, then by first id."""
    p = partitions
    info = arts.mapValues(lambda a: (a.id, a.title, a.date, story_rules._first_words(a) if not a.title else None))
    grouped = info.leftOuterJoin(blocks, p).map(lambda r: (r[1][1] if r[1][1] is not None else r[0], (r[0], r[1][0])))

    def story(members: Iterable[tuple[int, tuple[str, str | None, str | None, str | None]]]) -> tuple[Any, ...]:
        group = sorted(members)
        ids = tuple(sorted(m[1][0] for m in group))
        titled = sorted((date or "9999", ident, title) for _, (ident, title, date, _) in group if title)
        label = titled[0][2] if titled else group[0][1][3]
        return (-len(ids), ids[0]), ids, label or ""

    ordered = grouped.groupByKey(p).map(lambda kv: story(kv[1])).sortBy(lambda s: s[0], numPartitions=p)
    return ordered.zipWithIndex().map(lambda r: (f"s{r[1] + 1}", r[0][1], r[0][2]))


# ---------------------------------------------------------------------------------------------------------------
# output rows


def _schemas() -> dict[str, Any]:
    from pyspark.sql.types import (
        ArrayType,
        BooleanType,
        DoubleType,
        IntegerType,
        StringType,
        StructField,
        StructType,
    )

    def struct(*fields: tuple[str, Any]) -> StructType:
        return StructType([StructField(name, kind, True) for name, kind in fields])

    text, number, whole = StringType(), DoubleType(), IntegerType()
    span = ArrayType(whole)
    divergence = struct(
        ("kind", text), ("change", text), ("a_sentence", whole), ("b_sentence", whole),
        ("a_span", span), ("b_span", span), ("a_text", text), ("b_text", text),
    )  # fmt: skip
    link = struct(("a", whole), ("b", whole), ("similarity", number), ("verbatim", BooleanType()))
    return {
        "articles": struct(
            ("id", text), ("path", text), ("title", text), ("date", text), ("outlet", text), ("url", text),
            ("removed", ArrayType(struct(("text", text), ("reason", text)))), ("sentence_count", whole),
        ),  # fmt: skip
        "pairs": struct(
            ("a", text), ("b", text), ("relation", text), ("score", number), ("source", text),
            ("source_reasons", ArrayType(text)), ("coverage_a", number), ("coverage_b", number),
            ("passages", whole), ("divergences", ArrayType(divergence)),
        ),  # fmt: skip
        "passages": struct(
            ("a", text), ("b", text), ("passage", whole), ("a_start", whole), ("a_end", whole),
            ("b_start", whole), ("b_end", whole), ("sentences", ArrayType(link)),
        ),  # fmt: skip
        "stories": struct(("id", text), ("articles", ArrayType(text)), ("label", text)),
        "errors": struct(("path", text), ("reason", text)),
    }


def _article_row(article: Article) -> tuple[Any, ...]:
    d = article_dict(article)
    return (
        d["id"], d["path"], d["title"], d["date"], d["outlet"], d["url"],
        [(r["text"], r["reason"]) for r in d["removed"]], d["sentence_count"],
    )  # fmt: skip


def _pair_row(pair: Pair) -> tuple[Any, ...]:
    d = pair_dict(pair)
    divergences = [
        (x["kind"], x["change"], x["a_sentence"], x["b_sentence"], x["a_span"], x["b_span"], x["a_text"], x["b_text"])
        for x in (divergence_dict(v) for v in pair.divergences)
    ]
    return (
        d["a"], d["b"], d["relation"], float(d["score"]), d["source"], list(d["source_reasons"]),
        float(d["coverage"]["a"]), float(d["coverage"]["b"]), len(d["passages"]), divergences,
    )  # fmt: skip


def _passage_rows(pair: Pair) -> list[tuple[Any, ...]]:
    return [
        (
            pair.a, pair.b, n, p.a_span[0], p.a_span[1], p.b_span[0], p.b_span[1],
            [(k.a, k.b, float(k.score), bool(k.verbatim)) for k in p.links],
        )  # fmt: skip
        for n, p in enumerate(pair.passages)
    ]


# ---------------------------------------------------------------------------------------------------------------
# spark-submit entry: spark-submit .../sourcetrace/spark.py INPUT... OUTPUT [options of spark-scan]

if __name__ == "__main__":
    from sourcetrace.cli import main

    main(["spark-scan", *sys.argv[1:]])
