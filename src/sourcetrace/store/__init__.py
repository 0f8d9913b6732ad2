"""A collection that persists: articles, sentences, vectors, pairs and stories in one SQLite file (WAL mode).

The store is a persistence edge over the pipeline, not a second pipeline. Adding articles runs, per chunk:

1. featurise (``pipeline.featurise``): clean, segment, static sentence vectors, MinHash signatures;
2. encode every sentence of the new articles with the transformer, one at a time, before taking the write lock;
3. shortlist: the stored articles that could pair with a new one, from the store's own index (band keys of
   signatures and of sentence vectors, probed in SQLite; the nearest articles by document vector, in memory);
4. candidates (``candidates.find_candidates``) among the new articles and the shortlist;
5. relate (``pipeline.related_pairs``) the candidates that involve a new article, answering the transformer from
   stored vectors: a stored sentence is never encoded again;
6. write the articles, their sentences, vectors, index keys and pairs in one transaction.

The shortlist bounds the work by what is added, not by the size of the store. ``Store.check`` runs steps 1 and
3-5 for an article without writing. Schema, migrations and concurrency: docs/store.md.

The store is one class built in layers, one module each: ``base`` (the file, connections, transactions, metadata;
the schema is in ``schema``), ``reading`` (queries), ``matching`` (the shortlist from the store's ``index``, the
pairs it makes, and checking), ``stories`` (the stories worked out again for what an add changed), ``adding`` (adding
articles).
"""

from __future__ import annotations

from .adding import Adding, AddResult
from .reading import ArticleInfo

__all__ = ["AddResult", "ArticleInfo", "Store"]


class Store(Adding):
    """A collection in one SQLite file. Safe to share between threads: each thread gets its own connection.

    ``models`` are loaded on first need, so that reading pages and listings never loads the encoder.
    """
