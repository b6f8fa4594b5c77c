"""Defaults of the scheduled deployment (`xxgk serve`, flows/deployment.py, prefect.yaml)."""

DEFAULT_CRON = "0 3 * * *"  # every night at 03:00, in the Prefect server's time zone
DEFAULT_PORT = 4200  # of the local Prefect server `xxgk serve` starts when none is configured
