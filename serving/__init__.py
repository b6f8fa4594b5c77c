"""Serving the warehouse: publish a validated build to the file analysts and BI tools open,
with its Parquet export and HTML report."""
