"""xxgk-warehouse: government information-disclosure annual reports in DuckDB."""

__version__ = "0.1.0"
