"""The Spark job's driver side: the session, the output tables and summary, and the JSON report rebuilt from them.

Kept apart from the job's stages (``spark``) so that each reads on its own: the stages compute, this writes and reads
back. Output: Parquet tables ``articles``, ``pairs``, ``passages``, ``stories`` and ``errors`` under OUTPUT, and
``summary.json`` beside them, in the schema of ``scan --format json`` where the two overlap.
"""

from __future__ import annotations

import os
import posixpath
import sys
from typing import Any

# absolute imports: spark-submit may run the job's module as a script
from sourcetrace.errors import SourcetraceError
from sourcetrace.records import Article, FileError, Pair
from sourcetrace.report import SCHEMA, article_dict, divergence_dict, pair_chance, pair_dict

TABLES = ("articles", "pairs", "passages", "stories", "errors")
SUMMARY = "summary.json"
LOCAL_MEMORY = "3g"  # JVM heap of a local session: shuffle buffers and cached blocks, not the Python workers


class SparkJobError(SourcetraceError):
    """The Spark job cannot run (an output folder in the way, an unreadable input listing)."""


def session(master: str | None = None, partitions: int | None = None, memory: str = LOCAL_MEMORY) -> Any:
    """The SparkSession spark-submit configured, else a local one on ``master`` (default: all cores)."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("sourcetrace")
    local = (master or "local").startswith("local")
    if master:
        builder = builder.master(master)
    if local:
        # local workers must run this interpreter, which has sourcetrace installed; a cluster sets its own
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        builder = builder.config("spark.driver.memory", memory)
    # one BLAS thread per task: Spark already runs one task per core
    builder = builder.config("spark.executorEnv.OPENBLAS_NUM_THREADS", "1")
    builder = builder.config("spark.ui.showConsoleProgress", "false")
    if partitions:
        builder = builder.config("spark.sql.shuffle.partitions", str(partitions))
    return builder.getOrCreate()


def check_output(spark: Any, output: str, overwrite: bool) -> None:
    """Refuse an existing OUTPUT before the job runs (or clear it with ``overwrite``), not after an hour's work."""
    jvm, conf = spark.sparkContext._jvm, spark.sparkContext._jsc.hadoopConfiguration()
    path = jvm.org.apache.hadoop.fs.Path(output)
    fs = path.getFileSystem(conf)
    if fs.exists(path):
        if not overwrite:
            raise SparkJobError(f"{output} exists; choose a new output folder or pass --overwrite")
        fs.delete(path, True)


def write_text(spark: Any, path: str, text: str) -> None:
    """One small file on any file system Spark writes to (the summary)."""
    jvm, conf = spark.sparkContext._jvm, spark.sparkContext._jsc.hadoopConfiguration()
    target = jvm.org.apache.hadoop.fs.Path(path)
    stream = target.getFileSystem(conf).create(target, True)
    try:
        stream.write(bytearray(text.encode("utf-8")))
    finally:
        stream.close()


def write_tables(
    spark: Any,
    output: str,
    feats: Any,
    pairs: Any,
    stories: list[Any],
    errors: list[tuple[Any, FileError]],
    overwrite: bool,
) -> dict[str, Any]:
    """The five Parquet tables, each row made on the executors from the records the job kept there."""
    schemas = _schemas()
    tables = {
        "articles": feats.map(lambda kv: _article_row(kv[1][0])),
        "pairs": pairs.map(lambda r: _pair_row(r[2])),
        "passages": pairs.flatMap(lambda r: _passage_rows(r[2], r[3])),
        "stories": spark.sparkContext.parallelize(stories, 1),
        "errors": spark.sparkContext.parallelize([(e.path, e.reason, e.level) for _, e in errors], 1),
    }
    mode = "overwrite" if overwrite else "errorifexists"
    for name, rdd in tables.items():
        spark.createDataFrame(rdd, schemas[name]).write.mode(mode).parquet(posixpath.join(output, name))
    return {"schema": SCHEMA, "articles": feats.count(), "stories": len(stories), "errors": len(errors)}


def _schemas() -> dict[str, Any]:
    from pyspark.sql.types import ArrayType, BooleanType, DoubleType, IntegerType, StringType, StructField, StructType

    def struct(*fields: tuple[str, Any]) -> StructType:
        return StructType([StructField(name, kind, True) for name, kind in fields])

    text, number, whole = StringType(), DoubleType(), IntegerType()
    span = ArrayType(whole)
    divergence = struct(
        ("kind", text), ("change", text), ("a_sentence", whole), ("b_sentence", whole),
        ("a_span", span), ("b_span", span), ("a_text", text), ("b_text", text),
    )  # fmt: skip
    link = struct(
        ("a", whole), ("b", whole), ("similarity", number), ("verbatim", BooleanType()),
        ("a_start", whole), ("a_end", whole), ("a_text", text), ("b_start", whole), ("b_end", whole), ("b_text", text),
    )  # fmt: skip
    return {
        "articles": struct(
            ("id", text),
            ("path", text),
            ("title", text),
            ("date", text),
            ("outlet", text),
            ("url", text),
            ("removed", ArrayType(struct(("text", text), ("reason", text)))),
            ("sentence_count", whole),
        ),  # fmt: skip
        "pairs": struct(
            ("a", text),
            ("b", text),
            ("relation", text),
            ("score", number),
            ("source", text),
            ("source_reasons", ArrayType(text)),
            ("coverage_a", number),
            ("coverage_b", number),
            ("passages", whole),
            ("divergences", ArrayType(divergence)),
        ),  # fmt: skip
        "passages": struct(
            ("a", text),
            ("b", text),
            ("passage", whole),
            ("a_start", whole),
            ("a_end", whole),
            ("b_start", whole),
            ("b_end", whole),
            ("sentences", ArrayType(link)),
        ),  # fmt: skip
        "stories": struct(("id", text), ("articles", ArrayType(text)), ("label", text)),
        "errors": struct(("path", text), ("reason", text), ("level", text)),
    }


def _article_row(article: Article) -> tuple[Any, ...]:
    d = article_dict(article)
    removed = [(r["text"], r["reason"]) for r in d["removed"]]
    return d["id"], d["path"], d["title"], d["date"], d["outlet"], d["url"], removed, d["sentence_count"]


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


_LINK_FIELDS = ("a", "b", "similarity", "verbatim", "a_start", "a_end", "a_text", "b_start", "b_end", "b_text")


def _passage_rows(pair: Pair, links: list[list[dict[str, Any]]]) -> list[tuple[Any, ...]]:
    """One row per passage; ``links`` are its links as the JSON report gives them (with their sentences)."""
    return [
        (
            pair.a,
            pair.b,
            n,
            p.a_span[0],
            p.a_span[1],
            p.b_span[0],
            p.b_span[1],
            [
                (k["a"], k["b"], float(k["similarity"]), bool(k["verbatim"]), *(k[f] for f in _LINK_FIELDS[4:]))
                for k in links[n]
            ],
        )  # fmt: skip
        for n, p in enumerate(pair.passages)
    ]


def load_report(output: str, spark: Any = None) -> dict[str, Any]:
    """The JSON report (schema of ``scan --format json``) rebuilt from spark-scan's tables; for small outputs."""
    spark = spark or session()

    def rows(table: str) -> list[Any]:
        return spark.read.parquet(posixpath.join(output, table)).collect()

    passages: dict[tuple[str, str], list[Any]] = {}
    for x in rows("passages"):
        passages.setdefault((x["a"], x["b"]), []).append(x)
    pairs = []
    for p in sorted(rows("pairs"), key=lambda r: (r["a"], r["b"])):
        found = sorted(passages.get((p["a"], p["b"]), []), key=lambda r: r["passage"])
        pairs.append({
            "a": p["a"], "b": p["b"], "relation": p["relation"], "score": p["score"],
            "chance": pair_chance(p["relation"], p["score"]), "source": p["source"],
            "source_reasons": list(p["source_reasons"]), "coverage": {"a": p["coverage_a"], "b": p["coverage_b"]},
            "passages": [
                {"a_span": [x["a_start"], x["a_end"]], "b_span": [x["b_start"], x["b_end"]],
                 "sentences": [s.asDict() for s in x["sentences"]]}
                for x in found
            ],
            "divergences": [
                {**d.asDict(), "a_span": _span(d["a_span"]), "b_span": _span(d["b_span"])} for d in p["divergences"]
            ],
        })  # fmt: skip
    articles = [
        {**a.asDict(recursive=True), "removed": [r.asDict() for r in a["removed"]]}
        for a in sorted(rows("articles"), key=lambda r: r["id"])
    ]
    return {
        "schema": SCHEMA,
        "articles": articles,
        "pairs": pairs,
        "stories": [
            {"id": s["id"], "articles": list(s["articles"]), "label": s["label"]}
            for s in sorted(rows("stories"), key=lambda r: int(r["id"][1:]))
        ],
        "errors": [  # tables written before problems had levels hold errors only
            {"path": e["path"], "reason": e["reason"], "level": e.asDict().get("level") or "error"}
            for e in rows("errors")
        ],
    }


def _span(value: Any) -> list[int] | None:
    return list(value) if value is not None else None
