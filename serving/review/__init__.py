"""`xxgk review` and `xxgk compare`: where analysts confirm, correct and compare what the
checks found (docs/review.md).

* warehouse.py: what the pages show, read from the serving file (read-only);
* grid.py: a report's statistics as the template's grid (rows x applicant columns);
* compare.py: two reports side by side, as a table, CSV and XLSX;
* app.py: the local web app (FastAPI, pages rendered on the server with Jinja2);
* security.py: the CSRF token and the response headers;
* static_page.py: `xxgk compare A B` without the server.

The app never writes the serving file: the reviews go to the reviews store beside it
(ingest/reviews.py), which the next `xxgk run` applies.
"""
