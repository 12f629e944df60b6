"""Store layer: the one door to data (`database.Database.execute`), the query-ready copies and stored answers."""
