"""The OCR engine: RapidOCR (PP-OCRv6 small, Chinese) on OpenVINO, with the models that
ship inside the ``rapidocr`` wheel.

OpenVINO runs the wheel's ONNX models as they are: on this machine's CPU it reads a page for
about a third of onnxruntime's CPU time (bench/RESULTS.md, "OCR speed"), with the same
readings. onnxruntime stays selectable (``runtime="onnxruntime"``) for the bench's comparison.
Only extraction worker processes load the engine (ingest/extract/worker.py): a process that
has loaded OpenVINO must not also run code under the SIGALRM parse time limit, which crashed a
test process that did both; ingest/time_limit.py refuses to arm in such a process.

This is the one adapter between the project and RapidOCR: the models are named by their
paths inside the installed package (nothing is ever downloaded: a missing model file is an
error), and the engine's answer is turned into :class:`TextBox` es in the pixels of the
image read. tests/ingest/extract/test_ocr.py pins what is relied on here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ingest.extract.types import ExtractionError

ENGINE = "rapidocr"
# the models of the rapidocr wheel (its default config): detection, direction, recognition
MODELS = {
    "Det": "PP-OCRv6_det_small.onnx",
    "Cls": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
    "Rec": "PP-OCRv6_rec_small.onnx",
}
# the runtimes RapidOCR can run the models on, by the name stored with every OCR'd document
RUNTIMES = ("openvino", "onnxruntime")
RUNTIME = "openvino"
# detection runs on the page scaled to at most this many pixels on its longer side (the
# recognition reads each text line at full resolution): see bench/RESULTS.md, OCR
DET_SIDE = 1280
REC_BATCH = 8  # text lines recognised per call (6 by default; 16 pads more: bench/RESULTS.md)
# a batch of text lines is padded to its widest line, and to at least this many pixels (320
# by default; 48 made short numbers less certain: bench/RESULTS.md, "OCR speed")
REC_MIN_WIDTH = 160


@dataclass(frozen=True)
class TextBox:
    """A line of text the engine found: its text, confidence (0-1) and box (pixels)."""

    text: str
    confidence: float
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2


class OcrEngine(Protocol):
    """What the layout needs of an engine (bench/tesseract_engine.py has the same)."""

    def read(self, image: np.ndarray) -> list[TextBox]: ...

    def read_line(self, image: np.ndarray) -> tuple[str, float]: ...


def engine_version(runtime: str = RUNTIME) -> str:
    """``rapidocr <v> (PP-OCRv6 small, openvino <v>)``: stored with every OCR'd document."""
    return f"{ENGINE} {version('rapidocr')} (PP-OCRv6 small, {runtime} {version(runtime)})"


def model_paths() -> dict[str, Path]:
    """The model files inside the installed rapidocr package, by stage."""
    import rapidocr

    models = Path(rapidocr.__file__).resolve().parent / "models"
    return {stage: models / name for stage, name in MODELS.items()}


class RapidOcr:
    """RapidOCR with the wheel's models on ``runtime``, threads bounded by ``threads``."""

    def __init__(self, threads: int = 1, runtime: str = RUNTIME) -> None:
        from rapidocr import EngineType, RapidOCR

        if runtime not in RUNTIMES:
            known = ", ".join(RUNTIMES)
            raise ValueError(f"xxgk: unknown OCR runtime {runtime!r} (one of {known})")

        paths = model_paths()
        missing = [str(p) for p in paths.values() if not p.is_file()]
        if missing:  # the package would otherwise try to download them
            raise ExtractionError(
                f"the OCR models are not installed ({', '.join(missing)}); reinstall rapidocr"
            )
        params: dict[str, Any] = {
            "Global.log_level": "error",
            "Global.max_side_len": 100_000,  # the caller sizes the image
            "Det.limit_type": "max",
            "Det.limit_side_len": DET_SIDE,
            "Global.use_cls": False,  # report pages are upright; a line upside down is rare
            "Rec.rec_batch_num": REC_BATCH,
            "Rec.rec_img_shape": [3, 48, REC_MIN_WIDTH],
            **_runtime_config(runtime, threads),
        }
        for stage, path in paths.items():
            params[f"{stage}.model_path"] = str(path)
            params[f"{stage}.engine_type"] = EngineType(runtime)
        self.runtime = runtime
        self._engine = RapidOCR(params=params)

    def read(self, image: np.ndarray) -> list[TextBox]:
        """The text lines of an RGB (or greyscale) image, top to bottom."""
        # every step named on each call: RapidOCR keeps a call's flags for the next one. Its
        # result is typed as the union of every step's; detection with recognition gives a
        # RapidOCROutput (boxes, txts, scores), which tests/ingest/extract/test_ocr.py pins
        result: Any = self._engine(_rgb(image), use_det=True, use_cls=False, use_rec=True)
        if result.boxes is None or result.txts is None or result.scores is None:
            return []
        boxes = []
        for quad, text, score in zip(result.boxes, result.txts, result.scores, strict=True):
            xs = [float(p[0]) for p in quad]
            ys = [float(p[1]) for p in quad]
            boxes.append(TextBox(text, float(score), min(xs), min(ys), max(xs), max(ys)))
        return boxes

    def read_line(self, image: np.ndarray) -> tuple[str, float]:
        """The text of an image holding one line (no detection): text and confidence."""
        # recognition alone gives a TextRecOutput (txts, scores)
        result: Any = self._engine(_rgb(image), use_det=False, use_cls=False, use_rec=True)
        if not result.txts:
            return "", 0.0
        return str(result.txts[0]), float(result.scores[0])


def _runtime_config(runtime: str, threads: int) -> dict[str, Any]:
    """RapidOCR's settings of the runtime that runs the models (``EngineConfig.<runtime>``)."""
    if runtime == "onnxruntime":
        config: dict[str, Any] = {
            "enable_cpu_mem_arena": True,
            "intra_op_num_threads": threads,
            "inter_op_num_threads": 1,
        }
    else:
        config = {
            "inference_num_threads": threads,
            "performance_hint": "LATENCY",
            "num_streams": 1,
            # OpenVINO pins its threads to cores by default: two extraction workers would
            # both pin to the first core and take turns
            "enable_cpu_pinning": False,
        }
    return {f"EngineConfig.{runtime}.{key}": value for key, value in config.items()}


def _rgb(image: np.ndarray) -> np.ndarray:
    return np.stack([image] * 3, axis=-1) if image.ndim == 2 else image


@cache
def default_engine(threads: int = 1, runtime: str = RUNTIME) -> RapidOcr:
    """One engine per process, thread count and runtime (the models load once)."""
    return RapidOcr(threads=threads, runtime=runtime)
