"""dbt's side of the warehouse: one dbt invocation (invoke.py), the project parsed ahead of a
build (parse_ahead.py), what the next build must rebuild (build_state.py) and the build itself
(dbt_runner.py), run on the project's models/, macros/ and seeds/."""
