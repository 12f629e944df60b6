"""Pipeline layer: raw field extracts → validated, pseudonymised cleaned Parquet."""
