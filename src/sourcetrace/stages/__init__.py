"""The pipeline's stages, in pipeline order: ingest, clean, segment, candidates, align, classify, divergences,
attribute, stories. `sourcetrace.pipeline` runs them in that order."""
