"""The warehouse's settings: :class:`Settings` declares every ``XXGK_*`` variable once, with
its type, default and meaning (pydantic-settings). The process environment of Prefect, dbt
and Great Expectations is set in core/environment.py."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Any, Literal, Self, get_args, get_origin

from pydantic import Field, PositiveFloat, PositiveInt, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.environment import (
    ReportLanguage,
    TaskRunnerName,
    default_memory_limit,
)

ENV_PREFIX = "XXGK_"


def _cpu_count() -> int:
    return os.cpu_count() or 1


class Settings(BaseSettings):
    """Every ``XXGK_*`` environment variable the warehouse reads: its type, default and
    meaning, declared once (docs/settings.md is written from this class). A bad value is an
    error naming the variable (:func:`load_settings`)."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, frozen=True, extra="ignore")

    # what is read and how much of it (ingest/limits.py)
    max_file_mb: PositiveFloat = Field(64.0, description="larger files are quarantined unread")
    extract_timeout_s: PositiveFloat = Field(
        300.0, description="seconds to extract one PDF, DOCX, HTML or image file (OCR included)"
    )
    max_unpacked_mb: PositiveFloat = Field(
        256.0, description="a DOCX (a zip) larger than this once unpacked is refused"
    )
    max_pdf_pages: PositiveInt = Field(500, description="pages read of one PDF at most")
    parse_timeout_s: PositiveFloat = Field(
        60.0, description="seconds to parse one document's text; a document over it is held back"
    )
    extract_workers: PositiveInt = Field(
        default_factory=_cpu_count,
        description="worker processes extracting files side by side (default: the CPU count)",
    )
    ocr: bool = Field(
        True, description="read scanned PDF pages and images by OCR (`off`: leave them unread)"
    )
    # the parse step (flows/parse.py, docs/scaling.md)
    task_runner: TaskRunnerName = Field(
        "local",
        description="`local`: worker processes on this machine; `dask`: a Prefect task per "
        "batch on prefect-dask's `DaskTaskRunner`",
    )
    parse_workers: PositiveInt = Field(
        default_factory=_cpu_count,
        description="worker processes (`local`; `1` parses in the calling process), or, with "
        "`dask`, the LocalCluster's size and the number of workers to keep busy (set it to the "
        "cluster's worker count); default: the CPU count",
    )
    parse_batch: PositiveInt = Field(250, description="documents per batch (one Prefect task)")
    write_batch: PositiveInt = Field(2000, description="documents per write transaction")
    dask_address: str | None = Field(
        None,
        description="scheduler address of an existing Dask cluster (`tcp://host:8786`); "
        "without it `dask` starts a LocalCluster",
    )
    # the build, the gate, the report
    duckdb_memory_limit: str = Field(
        default_factory=lambda: default_memory_limit(),
        description="every DuckDB connection's memory limit (default: 80 % of the RAM)",
    )
    build_batch: PositiveInt | None = Field(
        None,
        description="reports per batch of a full refresh (default: what the memory limit holds)",
    )
    ge_chunk_rows: PositiveInt = Field(
        500_000, description="rows Great Expectations validates at once, per chunk"
    )
    report_lang: ReportLanguage = Field(
        "both", description="the HTML report's language: `zh`, `en` or `both`"
    )
    # tests only
    kill_at: str | None = Field(
        None, description="a kill point where the run dies (core/faults.py; tests only)"
    )

    @field_validator("task_runner", "report_lang", mode="before")
    @classmethod
    def _lowercase(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("dask_address", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value


def default(field: str) -> Any:
    """The default of a :class:`Settings` field (for the dataclasses built from it)."""
    return Settings.model_fields[field].get_default(call_default_factory=True)


def variable(field: str) -> str:
    """The environment variable of a :class:`Settings` field."""
    return f"{ENV_PREFIX}{field.upper()}"


class SettingsError(ValueError):
    """An ``XXGK_*`` variable holds a value its setting does not take."""


def load_settings() -> Settings:
    """The settings of this process's environment; a bad value raises :class:`SettingsError`
    naming the variable, the problem and the value. Read again only when an ``XXGK_*``
    variable changed (reading costs about 3 ms; connections and kill points ask often)."""
    return _settings_of(
        tuple(sorted((k, v) for k, v in os.environ.items() if k.upper().startswith(ENV_PREFIX)))
    )


@lru_cache(maxsize=4)
def _settings_of(environment: tuple[tuple[str, str], ...]) -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        problems = [
            f"{variable(str(error['loc'][0]))}: {error['msg'].lower()}, got {error['input']!r}"
            for error in exc.errors()
        ]
        raise SettingsError("; ".join(problems)) from None


def report_language() -> ReportLanguage:
    """The published HTML report's language: XXGK_REPORT_LANG (``zh``, ``en``), by default
    ``both`` (Chinese first, English beside it)."""
    return load_settings().report_lang


def _scaled(value: Any, scale: int) -> Any:
    return value if scale == 1 else int(value * scale)


def setting(name: str, *, scale: int = 1) -> Any:
    """A field of a :class:`SettingsView` dataclass that holds the setting ``name`` (times
    ``scale``: MiB given in bytes): its default is the setting's, and
    :meth:`SettingsView.from_settings` fills it from :class:`Settings`."""
    if name not in Settings.model_fields:
        raise ValueError(f"no setting {name!r} in core.settings.Settings")
    return field(
        default_factory=lambda: _scaled(default(name), scale),
        metadata={"setting": name, "scale": scale},
    )


class SettingsView:
    """Base of a dataclass holding some settings, in its users' names and units: each field
    is made by :func:`setting`, which names the setting once."""

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        values = {
            view_field.name: _scaled(
                getattr(settings, view_field.metadata["setting"]), view_field.metadata["scale"]
            )
            for view_field in fields(cls)  # type: ignore[arg-type]  # subclasses are dataclasses
            if "setting" in view_field.metadata
        }
        return cls(**values)

    @classmethod
    def from_env(cls) -> Self:
        return cls.from_settings(load_settings())


@dataclass(frozen=True)
class ParseSettings(SettingsView):
    """How the parse step runs (docs/scaling.md).

    ``workers``: parser processes on this machine (1 = in the calling process);
    ``batch_size``: documents per batch (one Prefect task);
    ``write_batch``: documents per write transaction (parsed batches are stored together
    until they reach it: DuckDB commits of fewer documents cost 3-4 times more per document);
    ``task_runner``: ``local`` (a process pool here) or ``dask`` (prefect-dask);
    ``dask_address``: scheduler of an existing Dask cluster; without one, ``dask`` starts a
    LocalCluster of ``workers`` processes;
    ``timeout_s``: the time one document's parse may take; a document over it is held back.
    """

    workers: int = setting("parse_workers")
    batch_size: int = setting("parse_batch")
    write_batch: int = setting("write_batch")
    task_runner: TaskRunnerName = setting("task_runner")
    dask_address: str | None = setting("dask_address")
    timeout_s: float = setting("parse_timeout_s")


def _kind(annotation: Any) -> str:
    """A setting's type as the docs name it: ``int``, ``float``, ``text``, ``on/off`` or the
    values it takes."""
    args = [arg for arg in get_args(annotation) if arg is not type(None)]
    if get_origin(annotation) is Literal:
        return " / ".join(f"`{arg}`" for arg in args)
    if args:  # X | None
        return _kind(args[0])
    names = {bool: "on/off", int: "whole number", float: "number", str: "text"}
    return names.get(annotation, getattr(annotation, "__name__", str(annotation)))


def settings_table() -> str:
    """The Markdown table of every setting (docs/settings.md is written from it)."""
    rows = ["| variable | type | default | what it sets |", "|---|---|---|---|"]
    for name, spec in Settings.model_fields.items():
        if spec.default_factory is not None:
            shown = "computed"
        elif isinstance(spec.default, bool):
            shown = "`on`" if spec.default else "`off`"
        else:
            shown = "—" if spec.default is None else f"`{spec.default}`"
        kind = _kind(spec.annotation)
        rows.append(f"| `{variable(name)}` | {kind} | {shown} | {spec.description} |")
    return "\n".join(rows) + "\n"
