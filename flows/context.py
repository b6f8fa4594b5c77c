"""What one refresh run works with, made once by whoever starts it and handed to each step.

`xxgk run` and `xxgk watch` (xxgk/), and the scheduled deployment (flows/deployment.py), make
a :class:`RunContext`: the settings read once from the environment (core/settings.py, with
the command's own options such as ``--lang``), the warehouse, the dbt project, and what the
caller prepared for the run: the project parsed ahead (transform/parse_ahead.py) and a Great
Expectations process kept across runs (core/processes.py). The flow passes it, or the part a
step needs, to each step: no step looks anything up in a context variable, and nothing
writes the process environment on the way (core/environment.py's ``configure_environment``,
once at start-up, is the one place that does).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.environment import REPORT_LANGUAGES, ReportLanguage
from core.paths import ROOT, work_db_path
from core.processes import KeptProcess
from core.settings import Settings, SettingsError, load_settings
from transform.parse_ahead import ProjectParse


@dataclass(frozen=True)
class RunContext:
    serving_db: Path  # the file analysts open; builds go to its work file
    settings: Settings
    project_dir: Path = ROOT  # the dbt project: models/, macros/, seeds/
    parse: ProjectParse | None = None  # the project parsed ahead, for the builds to reuse
    gate: KeptProcess | None = None  # the gate's process, kept across runs (`xxgk watch`)

    @property
    def work_db(self) -> Path:
        return work_db_path(self.serving_db)

    @classmethod
    def of(
        cls,
        serving_db: Path,
        *,
        report_lang: ReportLanguage | str | None = None,
        parse: ProjectParse | None = None,
        gate: KeptProcess | None = None,
    ) -> RunContext:
        """The context of a run of the warehouse served at ``serving_db``, with this
        process's settings (``report_lang``: the command's ``--lang``, over the setting)."""
        settings = load_settings()
        if report_lang is not None:
            if report_lang not in REPORT_LANGUAGES:
                raise SettingsError(
                    f"the report's language is one of {REPORT_LANGUAGES}, not {report_lang!r}"
                )
            settings = settings.model_copy(update={"report_lang": report_lang})
        return cls(Path(serving_db), settings, parse=parse, gate=gate)
