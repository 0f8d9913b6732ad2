"""The pipeline on Apache Spark: the library's own stage functions inside partitions, collection-wide steps as
shuffles, reduces and broadcasts, never a cross join and never a collect of the articles.

    sourcetrace spark-scan INPUT... OUTPUT [--master URL] [--partitions N]

1. ingest: text and HTML files, JSON lines and Parquet from any path Spark reads, by the library's readers; the
   first article of an id wins; articles are then taken in id order (index ``k``), so that neither the input order
   nor the partitioning changes a result;
2.-3. paragraphs repeated across the collection are counted by key; then each partition is cleaned, segmented and
   given its static vectors and MinHash signatures by the same chunk function ``scan`` runs in its workers;
4. candidates: the collection's mean static vector by a reduce; MinHash and SimHash band keys, one array per
   article, exploded, bucketed and paired in Spark SQL (over-full buckets skipped, as locally); each article's
   nearest articles by document vector, exact, each task taking a block of rows against a broadcast matrix; the
   union is grouped by its first article;
5.-8. each group is one partition, to which its articles are shuffled once, pickled; it runs the support test and
   :func:`pipeline.related_pairs` (the transformer loaded once per Python worker);
9. stories: each partition's story terms (made with its other features); the term matrix on the driver; links by
   blocks of rows against the broadcast matrix, raised by the pairs; distributed connected components; then the
   library's average-linkage cut of each component.

Output (written by ``spark_io``): Parquet tables ``articles``, ``pairs``, ``passages``, ``stories`` and ``errors``
under OUTPUT, and ``summary.json`` beside them. PySpark is imported only here and there: the default install never
needs it.
"""

from __future__ import annotations

import io
import json
import os
import pickle
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

from sourcetrace.encoder import SentenceEncoder, StaticEncoder
from sourcetrace.errors import InputError, ModelError
from sourcetrace.pipeline import _featurise_chunk, related_pairs
from sourcetrace.records import Article, FileError, Pair, Sentence
from sourcetrace.report import link_dict
from sourcetrace.settings import Settings
from sourcetrace.spark_io import (
    SUMMARY,
    TABLES,
    SparkJobError,
    check_output,
    load_report,
    session,
    write_tables,
    write_text,
)

# absolute imports: spark-submit may run this file as a script
from sourcetrace.stages import buckets, story_terms, term_search
from sourcetrace.stages import candidates as cands
from sourcetrace.stages import stories as story_rules
from sourcetrace.stages.boilerplate import reads_as_boilerplate
from sourcetrace.stages.clean import RepeatedParagraphs, paragraph_lines
from sourcetrace.stages.ingest import KINDS, _Found, check_size, from_bytes, from_record, read_jsonl_stream
from sourcetrace.stages.story_dates import Days, told_days

# the job's API; the session, the output and the report read back live in spark_io
__all__ = ["SUMMARY", "TABLES", "SparkJobError", "load_report", "read_inputs", "session", "spark_scan"]

DOC_BLOCK = 2048  # nearest_documents' block of distinct texts: a task takes one, so its cosines are scan's
TERM_ROWS = 5000  # rows of the term matrix per task (a multiple of term_search's block of 500)
MIN_ARTICLES = 3  # clean.repeated_paragraphs' default, as scan uses it

Progress = Callable[[str], None]


def spark_scan(
    inputs: Sequence[str],
    output: str,
    settings: Settings | None = None,
    spark: Any = None,
    partitions: int | None = None,
    overwrite: bool = False,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Run stages 1-9 on Spark over ``inputs``; write the tables and ``summary.json`` under ``output``.

    Returns the summary: counts, relations, seconds per stage. ``partitions`` (default: two per core) changes the
    speed, never the results.
    """
    from pyspark import StorageLevel

    settings = settings or Settings.load()
    spark = spark or session()
    sc = spark.sparkContext
    p = partitions or 2 * sc.defaultParallelism
    spark.conf.set("spark.sql.shuffle.partitions", str(p))  # the shuffles of candidate search
    seconds: dict[str, float] = {}
    since = [time.perf_counter()]

    def mark(stage: str) -> None:
        now = time.perf_counter()
        seconds[stage] = round(now - since[0], 3)
        since[0] = now
        if progress:
            progress(f"{stage}: {seconds[stage]:.1f} s")

    check_output(spark, output, overwrite)
    problem = sc.parallelize([0], 1).map(lambda _: _model_problem(settings)).collect()[0]
    if problem:
        raise ModelError(problem)
    # 1. ingest
    raw, errors = read_inputs(spark, inputs, settings.ingest.max_file_bytes)
    raw = raw.persist(StorageLevel.DISK_ONLY)
    errors += raw.filter(lambda r: isinstance(r[1], FileError)).collect()
    articles, duplicates = _first_of_each_id(raw.filter(lambda r: isinstance(r[1], Article)), p)
    mark("ingest")
    # 2.-4. clean, segment, static vectors, signatures: partitions of consecutive ids, in order
    repeated = sc.broadcast(_repeated_paragraphs(articles, p))
    ordered = articles.sortBy(lambda a: a.id, numPartitions=p)
    done = ordered.mapPartitions(lambda rows: _featurise(list(rows), repeated.value, settings)).persist()
    errors += done.filter(lambda r: isinstance(r, tuple) and isinstance(r[1], FileError)).collect()
    feats = done.filter(lambda r: isinstance(r, tuple) and not isinstance(r[1], FileError))
    feats = feats.zipWithIndex().map(lambda r: (r[1], r[0])).persist(StorageLevel.MEMORY_AND_DISK)
    # (k, (article, static vectors, signature, long runs)); each partition's story terms follow its articles, in order
    batches = done.filter(lambda r: isinstance(r, story_terms.StoryTerms))
    n = feats.count()
    errors += duplicates.collect()
    raw.unpersist()
    mark("clean, segment, static vectors, signatures")
    # 4. candidates
    cs = settings.candidates
    total, rows = feats.map(lambda kv: (kv[1][1].sum(axis=0, dtype=np.float64), len(kv[1][1]))).fold(
        (0.0, 0), lambda x, y: (x[0] + y[0], x[1] + y[1])
    )
    mean = sc.broadcast(cands.collection_mean(np.asarray(total), rows))
    centred = feats.mapValues(lambda f: (cands.centre(f[1], mean.value), _quotations(f[0]))).persist()
    signatures = feats.map(lambda kv: _keyed(kv[0], buckets.band_keys(kv[1][2][None, :], cs.minhash_bands)))
    lexical = _colliding(spark, signatures, cs.minhash_bands, cs.max_bucket).select("a", "b")
    lexical = lexical.union(_shared_runs(spark, feats, cs.max_bucket)).distinct()
    lexical = lexical.rdd.map(lambda r: ((r["a"], r["b"]), True))
    shared = _shared_sentences(spark, centred, cs)
    docs = np.zeros((n, 1), np.float32)
    for k, vector in centred.mapValues(lambda c: cands.document_vectors([c[0]])[0]).collect():
        docs = docs if docs.shape[1] == len(vector) else np.zeros((n, len(vector)), np.float32)
        docs[k] = vector
    docs_b = sc.broadcast(docs)
    m = len(cands.searched_texts(docs, cs.max_bucket)[2])  # copies count once: tasks take blocks of the texts
    similar = sc.parallelize(range(0, m, DOC_BLOCK), max(1, min(p, -(-m // DOC_BLOCK)))).flatMap(
        lambda s: [
            ((int(a), int(b)), False)
            for a, b in cands.nearest_documents(
                docs_b.value, cs.neighbours, cs.document_cosine, DOC_BLOCK, range(s, s + DOC_BLOCK), cs.max_bucket
            )
        ]
    )
    x = sc.broadcast(_term_matrix(feats, batches, n, settings))
    near = _word_neighbours(sc, x, n, p)
    found = lexical.union(shared).union(similar).union(near).reduceByKey(lambda x, y: x or y, p)
    grouped = found.map(lambda r: (r[0][0] % p, (*r[0], r[1]))).persist()
    candidate_count = grouped.count()
    docs_b.unpersist()
    mark("candidates")
    # 5.-8. align, classify, divergences, attribute: each group of pairs is one partition, with its articles shipped
    # to it once, pickled (a shuffle of bytes: Python never groups or spills them)
    needs = grouped.flatMap(lambda r: [(r[1][0], r[0]), (r[1][1], r[0])]).distinct(p)
    packed = feats.mapValues(lambda f: pickle.dumps((f[0], cands.centre(f[1], mean.value)), pickle.HIGHEST_PROTOCOL))
    shipped = needs.join(packed, p).map(lambda r: (r[1][0], (False, (r[0], r[1][1]))))
    tagged = grouped.mapValues(lambda c: (True, c)).union(shipped).partitionBy(p, lambda group: group)
    pairs = tagged.mapPartitions(lambda rows: _relate_group(rows, settings))
    pairs = pairs.persist(StorageLevel.MEMORY_AND_DISK)  # (k_a, k_b, Pair, its links with their sentences)
    relations = dict(sorted(pairs.map(lambda r: (r[2].relation, 1)).reduceByKey(add).collect()))
    centred.unpersist()
    mark("align")
    # 9. stories
    stories = _stories(sc, feats, x, pairs, n, settings, p)
    mark("stories")
    # output
    summary = write_tables(spark, output, feats, pairs, stories, sorted(errors, key=lambda r: r[0]), overwrite)
    summary.update(
        relations=relations,
        pairs=sum(relations.values()),
        candidates=candidate_count,
        settings=json.loads(json.dumps(asdict(settings), default=str)),
    )
    mark("write")
    summary.update(seconds=seconds, partitions=p, spark=spark.version, master=sc.master)
    write_text(spark, posixpath.join(output, SUMMARY), json.dumps(summary, indent=2) + "\n")
    for rdd in (done, feats, grouped, pairs):
        rdd.unpersist()
    repeated.unpersist()
    mean.unpersist()
    return summary


def _model_problem(settings: Settings) -> str | None:
    """Load the encoders once on an executor, so that a missing model fails fast with its own message."""
    try:
        StaticEncoder.load(settings.model_dir)
        SentenceEncoder.load(settings.model_dir, threads=1)
    except ModelError as exc:
        return str(exc)
    return None


# ---------------------------------------------------------------------------------------------------------------
# 1. ingest

Keyed = tuple[tuple[Any, ...], Any]  # (order key: input, relative path, line), Article or FileError


def read_inputs(spark: Any, inputs: Sequence[str], limit: int) -> tuple[Any, list[Keyed]]:
    """(order key, Article or FileError) for every file or record under ``inputs``, and the errors found listing."""
    sc = spark.sparkContext
    jvm, conf = sc._jvm, sc._jsc.hadoopConfiguration()
    parts, errors, claimed = [], [], set()
    for index, given in enumerate(inputs):
        path = jvm.org.apache.hadoop.fs.Path(given)
        fs = path.getFileSystem(conf)
        if not fs.exists(path):
            errors.append(((index, "", 0), FileError(given, "does not exist; check the path")))
            continue
        is_dir = fs.getFileStatus(path).isDirectory()
        root = unquote(fs.makeQualified(path).toString())
        files, parquet = {}, []
        for uri, size in _listing(fs, path):
            file = unquote(uri)
            rel = posixpath.relpath(file, root) if is_dir else posixpath.basename(file)
            suffix = PurePosixPath(file).suffix.lower()
            shown = os.path.join(given, rel) if is_dir else given
            key = (index, rel, 0)
            if file in claimed or (is_dir and any(part.startswith(".") for part in rel.split("/"))):
                continue
            if suffix == ".parquet":
                parquet.append((file, shown, key))
            elif suffix not in KINDS:
                if not is_dir:
                    errors.append((key, FileError(given, f"unsupported file type '{suffix}'; spark-scan reads "
                                                         ".txt, .html, .htm, .jsonl or .parquet files")))  # fmt: skip
                continue
            else:
                try:
                    if KINDS[suffix] != "jsonl":
                        check_size(size, shown, limit)
                    elif size == 0:  # Spark does not read empty files
                        read_jsonl_stream(io.BytesIO(b""), shown, limit, _Found())
                    article_id = PurePosixPath(rel).with_suffix("").as_posix() if is_dir else PurePosixPath(rel).stem
                    files[uri] = (KINDS[suffix], shown, article_id, key)
                except InputError as exc:
                    errors.append((key, FileError(exc.path, exc.reason)))
            claimed.add(file)
        if files:
            frame = spark.read.format("binaryFile").load(sorted(files))
            parts.append(frame.select("path", "content").rdd.flatMap(lambda r, f=files: _read_file(r, f, limit)))
        for file, shown, key in parquet:
            records = spark.read.parquet(file).rdd.zipWithIndex()
            parts.append(records.flatMap(lambda r, s=shown, k=key: _read_record(r[0].asDict(), r[1] + 1, s, k)))
    return (sc.union(parts) if parts else sc.emptyRDD()), errors


def _listing(fs: Any, path: Any) -> list[tuple[str, int]]:
    """(URI, size) of every file under ``path`` (or of ``path``), sorted; empty files included, unlike Spark's."""
    found, files = [], fs.listFiles(path, True)
    while files.hasNext():
        status = files.next()
        found.append((status.getPath().toString(), int(status.getLen())))
    return sorted(found)


def _read_file(row: Any, files: dict[str, tuple[str, str, str, tuple[Any, ...]]], limit: int) -> list[Keyed]:
    kind, shown, article_id, key = files[row["path"]]
    data = bytes(row["content"])
    try:
        if kind != "jsonl":
            return [(key, from_bytes(data, kind, shown, article_id))]
        found = _Found()
        read_jsonl_stream(io.BytesIO(data), shown, limit, found)
    except InputError as exc:
        return [(key, FileError(exc.path, exc.reason))]
    line = {a.path: int(a.path.rsplit(":", 1)[1]) for a in found.articles}
    return [((*key[:2], line[a.path]), a) for a in found.articles] + [(key, e) for e in found.errors]


def _read_record(record: dict[str, Any], number: int, shown: str, key: tuple[Any, ...]) -> list[Keyed]:
    """One Parquet row, read as the JSON-lines record it would be (``published`` may be a date or timestamp), and
    its warnings."""
    where, at = f"{shown}:{number}", (*key[:2], number)
    raw = json.dumps(record, ensure_ascii=False, default=lambda v: v.isoformat()).encode("utf-8")
    notes: list[FileError] = []
    try:
        article = from_record(raw, number, where, notes)
    except InputError as exc:
        return [(at, FileError(exc.path, exc.reason))]
    return [(at, article)] + [(at, note) for note in notes]


def _first_of_each_id(keyed: Any, partitions: int) -> tuple[Any, Any]:
    """Articles, the first read for each id kept (as ``scan`` keeps it); later ones as keyed errors."""

    def first(group: Iterable[Keyed]) -> list[tuple[bool, Any]]:
        found = _Found()
        ordered = sorted(group, key=lambda r: r[0])
        for _, article in ordered:
            found.add(article)
        kept = [(True, found.articles[0])] if found.articles else []  # none when the first was refused (its id)
        return kept + [(False, (ordered[0][0], e)) for e in found.errors]

    by_id = keyed.map(lambda r: (r[1].id, r)).groupByKey(partitions).flatMap(lambda kv: first(kv[1])).persist()
    return by_id.filter(lambda r: r[0]).values(), by_id.filter(lambda r: not r[0]).values()


# ---------------------------------------------------------------------------------------------------------------
# 2.-4. per article


def _repeated_paragraphs(articles: Any, partitions: int) -> RepeatedParagraphs:
    """clean.repeated_paragraphs over the collection, counted by key (the example line: the first id's)."""

    def keys(article: Article) -> list[tuple[str, tuple[int, str, str]]]:
        return [(key, (1, article.id, line)) for key, line in paragraph_lines(article).items()]

    merged = articles.flatMap(keys).reduceByKey(lambda x, y: (x[0] + y[0], *min(x[1:], y[1:])), partitions)
    least = max(MIN_ARTICLES, 2)
    found = merged.filter(lambda kv: kv[1][0] >= least and reads_as_boilerplate(kv[1][2]))
    return RepeatedParagraphs(dict(found.mapValues(lambda v: v[0]).collect()))


def _featurise(articles: list[Article], repeated: RepeatedParagraphs, settings: Settings) -> Iterator[Any]:
    """pipeline's chunk function on one partition: (article, static vectors, signature, fingerprints of long runs)
    per article, (path, FileError) per error, then the partition's story terms."""
    if not articles:
        return
    part = _featurise_chunk((articles, repeated, settings))
    yield from (((1 << 30, e.path, 0), e) for e in part.errors)  # after the readers' errors
    yield from zip(part.articles, part.static, part.signatures, part.runs, strict=True)
    yield from part.stories


def _quotations(article: Article) -> np.ndarray:
    return np.array([bool(s.quote_spans) for s in article.sentences], dtype=bool)


# ---------------------------------------------------------------------------------------------------------------
# 4. candidates


def _keyed(k: int, keys: np.ndarray, quoted: np.ndarray | None = None) -> tuple[int, list[int], list[bool]]:
    """One row of :func:`_colliding`'s input: article k, its band keys (rows x bands), which rows quote someone."""
    quoted = np.zeros(len(keys), dtype=bool) if quoted is None else quoted
    return k, keys.view(np.int64).ravel().tolist(), quoted.tolist()


def _sentence_keys(rows: Iterable[tuple[int, tuple[np.ndarray, np.ndarray]]], cs: Any) -> Iterator[Any]:
    """:func:`_keyed` rows of SimHash band keys, for a partition of (k, (centred vectors, quotations)) at once."""
    rows = list(rows)
    if not rows:
        return
    keys = cands.simhash_keys(np.concatenate([v for _, (v, _) in rows]), cs.vector_bits, cs.vector_bands)
    bounds = np.cumsum([0] + [len(v) for _, (v, _) in rows])
    for (k, (_, quoted)), start, stop in zip(rows, bounds[:-1], bounds[1:], strict=True):
        yield _keyed(k, keys[start:stop], quoted)


def _colliding(spark: Any, keyed: Any, bands: int, max_bucket: int) -> Any:
    """Pairs of rows that share a key in some band, as a DataFrame (a, b, i, j, quoted): article ``a`` < ``b``,
    row ``i`` of a, row ``j`` of b, and whether both rows quote someone; as buckets.colliding_rows and
    buckets.owner_pairs find them (buckets over ``max_bucket`` rows skipped), grouped in the JVM.

    ``keyed``: (k, the band keys of article k's rows flattened row by row, which rows quote someone). Buckets with
    the same members (one sentence in several articles collides in every band) are paired once.
    """
    from pyspark.sql import functions as F

    frame = spark.createDataFrame(keyed, "k int, keys array<bigint>, quoted array<boolean>", verifySchema=False)
    i = F.expr(f"pos div {bands}").cast("int")
    rows = frame.select("k", "quoted", F.posexplode("keys").alias("pos", "key")).select(
        F.expr(f"pos % {bands}").alias("band"),
        "key",
        F.struct("k", i.alias("i"), F.col("quoted")[i].alias("q")).alias("row"),
    )
    buckets = rows.groupBy("band", "key").agg(F.array_sort(F.collect_list("row")).alias("rows"))
    buckets = buckets.filter(F.size("rows").between(2, max_bucket)).select("rows").distinct()
    pairs = buckets.select(F.explode("rows").alias("x"), "rows").select("x", F.explode("rows").alias("y"))
    return pairs.filter(F.col("x.k") < F.col("y.k")).select(
        F.col("x.k").alias("a"), F.col("y.k").alias("b"), F.col("x.i").alias("i"), F.col("y.i").alias("j"),
        (F.col("x.q") & F.col("y.q")).alias("quoted"),
    )  # fmt: skip


def _shared_runs(spark: Any, feats: Any, max_bucket: int) -> Any:
    """Article pairs (a, b) that share the fingerprint of a long run of words, as candidates.shared_runs finds them:
    grouped by fingerprint in the JVM, over-full buckets skipped, buckets of the same members (copies of one text
    share all their fingerprints) paired once."""
    from pyspark.sql import functions as F

    keyed = feats.map(lambda kv: (kv[0], kv[1][3].view(np.int64).tolist()))
    rows = spark.createDataFrame(keyed, "k int, keys array<bigint>", verifySchema=False)
    rows = rows.select("k", F.explode("keys").alias("key"))
    buckets = rows.groupBy("key").agg(F.array_sort(F.collect_list("k")).alias("rows"))
    buckets = buckets.filter(F.size("rows").between(2, max_bucket)).select("rows").distinct()
    pairs = buckets.select(F.explode("rows").alias("a"), "rows").select("a", F.explode("rows").alias("b"))
    return pairs.filter(F.col("a") < F.col("b")).select("a", "b")


def _shared_sentences(spark: Any, centred: Any, cs: Any) -> Any:
    """((a, b), False) for article pairs sharing two near-verbatim sentences or one quotation (SimHash bands), as
    candidates.find_candidates finds them."""
    from pyspark.sql import functions as F

    keyed = centred.mapPartitions(lambda rows: _sentence_keys(rows, cs))
    rows = _colliding(spark, keyed, cs.vector_bands, cs.max_bucket)
    found = rows.groupBy("a", "b").agg(
        F.countDistinct("i").alias("i"), F.countDistinct("j").alias("j"), F.max("quoted").alias("quoted")
    )
    enough = found.filter(F.col("quoted") | (F.least("i", "j") >= cs.min_sentence_hits))
    return enough.rdd.map(lambda r: ((r["a"], r["b"]), False))


# ---------------------------------------------------------------------------------------------------------------
# 5.-8. related pairs


def _relate_group(
    rows: Iterable[tuple[int, tuple[bool, Any]]], settings: Settings
) -> Iterator[tuple[int, int, Pair, list[list[dict[str, Any]]]]]:
    """The support test, then related_pairs, for one group of candidate pairs ``(group, (True, (a, b, lexical)))``
    and the articles they name ``(group, (False, (k, pickled article and centred static vectors)))``.

    Each pair comes with its passages' links as the JSON report gives them (sentence offsets and texts): only here
    are both articles at hand."""
    found, members = [], []
    for _, (is_pair, value) in rows:
        if is_pair:
            found.append(value)
        else:
            members.append((value[0], pickle.loads(value[1])))
    if not members:
        return
    members.sort(key=lambda m: m[0])
    ks = [k for k, _ in members]
    local = {k: pos for pos, k in enumerate(ks)}
    articles = [a for _, (a, _) in members]
    centred = [v for _, (_, v) in members]
    quotes = [_quotations(a) for a in articles]
    candidates = cands.supported(
        ((local[a], local[b], lex) for a, b, lex in found), centred, quotes, settings.candidates
    )
    if not candidates:
        return
    encoder = SentenceEncoder.load(settings.model_dir, threads=1)
    index = {a.id: k for k, a in zip(ks, articles, strict=True)}
    by_id = {a.id: a for a in articles}
    for pair in related_pairs(articles, candidates, encoder, settings, False, None):
        a, b = by_id[pair.a], by_id[pair.b]
        yield index[pair.a], index[pair.b], pair, [[link_dict(k, a, b) for k in p.links] for p in pair.passages]


# ---------------------------------------------------------------------------------------------------------------
# 9. stories


def _stories(sc: Any, feats: Any, x: Any, pairs: Any, n: int, settings: Settings, partitions: int) -> list[Any]:
    """stories.cluster_stories with its links found by row blocks and its blocks as distributed components.
    ``x``: the broadcast term matrix (:func:`_term_matrix`)."""
    found = sorted(
        feats.mapValues(lambda f: (_stub(f[0]), told_days(f[0].text, f[0].date))).collect(), key=lambda r: r[0]
    )
    stubs = [stub for _, (stub, _) in found]
    story = settings.stories
    dates = sc.broadcast([a.date for a in stubs])
    told = sc.broadcast([days for _, (_, days) in found])
    terms = (
        sc.parallelize(range(0, n, TERM_ROWS), max(1, min(partitions, -(-n // TERM_ROWS))))
        .flatMap(
            lambda s: term_search.term_links(
                x.value, story_rules.link_evidence(story), rows=range(s, s + TERM_ROWS)
            ).items()
        )
        .mapValues(lambda v: float(story_rules.probability(v, 0.0, story)))
    )
    material = pairs.filter(lambda r: r[2].relation in story_rules.MATERIAL).mapPartitions(
        lambda rows: story_rules.material_links(x.value, [(r[0], r[1], r[2].relation) for r in rows], story).items()
    )
    edges = terms.union(material).reduceByKey(max, partitions)
    limit = story.link_probability
    edges = edges.filter(
        lambda e: story_rules.is_link(
            e[1], dates.value[e[0][0]], dates.value[e[0][1]], limit, told.value[e[0][0]], told.value[e[0][1]]
        )
    )
    edges = edges.persist()
    roots = _connected_components(edges.keys(), partitions)
    inner = edges.map(lambda e: (e[0][0], e)).join(roots, partitions).map(lambda r: (r[1][1], r[1][0]))
    blocks = roots.map(lambda r: (r[1], r[0])).cogroup(inner, partitions)
    labels = np.arange(n)
    for k, label in blocks.flatMap(lambda r: _cut(r[1][0], r[1][1], x.value, dates.value, told.value, story)).collect():
        labels[k] = label
    for broadcast in (x, dates, told):
        broadcast.unpersist()
    edges.unpersist()
    return [(s.id, list(s.articles), s.label) for s in story_rules.name_stories(stubs, labels)]


def _term_matrix(feats: Any, batches: Any, n: int, settings: Settings) -> Any:
    """The articles' story vectors (story_terms.term_matrix) from the partitions' story terms ``batches``, in article
    order, and the words each partition's texts write in lower case."""
    from scipy.sparse import csr_matrix

    words = feats.mapPartitions(lambda rows: [story_terms.common_words(kv[1][0].text for kv in rows)]).collect()
    common = frozenset().union(*words)
    rarity = story_terms.Rarity.load(settings.model_dir)
    return story_terms.term_matrix(batches.collect(), common, settings.stories, rarity) if n else csr_matrix((0, 1))


def _word_neighbours(sc: Any, x: Any, n: int, partitions: int) -> Any:
    """((a, b), mutual) for each article's nearest by rare words (step 3 of candidates.find_candidates), found by
    row blocks."""
    directed = sc.parallelize(range(0, n, TERM_ROWS), max(1, min(partitions, -(-n // TERM_ROWS)))).flatMap(
        lambda s: [
            (int(i), int(j))
            for i, j in term_search.term_neighbours(x.value, cands.TERM_NEIGHBOURS, rows=range(s, s + TERM_ROWS))
        ]
    )
    return directed.map(lambda e: ((min(e), max(e)), 1)).reduceByKey(add, partitions).mapValues(lambda k: k == 2)


def _stub(article: Article) -> Article:
    """What naming a story needs of an article: id, title, date, first two sentences (a dateline may be the first;
    without the rest of the text)."""
    first = [Sentence(k, 0, len(s.text), s.text) for k, s in enumerate(article.sentences[:2])]
    return Article(id=article.id, path="", text="", title=article.title, date=article.date, sentences=first)


def _cut(
    members: Iterable[int],
    edges: Iterable[Any],
    x: Any,
    dates: list[str | None],
    told: list[Days],
    story: Any,
) -> list[Any]:
    """(k, label) for each member of one component, the label being the first k of its story."""
    groups = story_rules.cut_block(np.array(sorted(members), dtype=np.int64), x, dict(edges), dates, story, told)
    return [(int(k), int(group[0])) for group in groups for k in group]


def _connected_components(edges: Any, partitions: int) -> Any:
    """(vertex, smallest vertex of its component) for every vertex of ``edges`` ((i, j) pairs), by propagating the
    smallest label along the edges until nothing changes (one round per step of the longest shortest path; labels
    only fall, so a round changed something when their sum fell)."""
    both = edges.flatMap(lambda e: [e, (e[1], e[0])]).persist()
    labels = both.map(lambda e: (e[0], min(e))).reduceByKey(min, partitions).persist()
    total = labels.values().sum()
    while True:
        offered = both.join(labels, partitions).map(lambda r: (r[1][0], r[1][1]))
        updated = labels.union(offered).reduceByKey(min, partitions).persist()
        before, total = total, updated.values().sum()
        labels.unpersist()
        labels = updated
        if total == before:
            both.unpersist()
            return labels


# spark-submit entry: spark-submit .../sourcetrace/spark.py INPUT... OUTPUT [options of spark-scan]
if __name__ == "__main__":
    from sourcetrace.cli import main

    main(["spark-scan", *sys.argv[1:]])
