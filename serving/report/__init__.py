"""A static HTML report on a published version: requests and outcomes by year and region,
template coverage, identity checks. See :func:`render_report`."""

from serving.report.page import render_report

__all__ = ["render_report"]
