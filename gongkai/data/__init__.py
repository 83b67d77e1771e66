"""The data stage: reading files, typing cells, keys, validation, the cache, the Portal model,
derived results and the privacy patterns."""
