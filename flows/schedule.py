"""Defaults of the scheduled deployment (`xxgk serve`, flows/deployment.py, prefect.yaml) and
of `xxgk watch` (xxgk/watch.py)."""

DEPLOYMENT_FLOW = "refresh-inbox"  # the flow `xxgk serve` serves (flows/deployment.py)
DEPLOYMENT_NAME = "inbox"  # its deployment, also in prefect.yaml
DEPLOYMENT = f"{DEPLOYMENT_FLOW}/{DEPLOYMENT_NAME}"  # as Prefect names it
DEFAULT_CRON = "0 3 * * *"  # every night at 03:00, in the Prefect server's time zone
DEFAULT_PORT = 4200  # of the local Prefect server `xxgk serve` starts when none is configured

# `xxgk watch`: seconds with no report file changing before a run starts
DEFAULT_SETTLE_S = 0.5
