"""Great Expectations suites over the marts: the gate after each dbt build."""
