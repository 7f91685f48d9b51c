"""Every control whose value a link (and a lesson step) carries: its URL parameter, which is also its widget key,
and the values it accepts. The pages build their widgets from these, and lessons are checked against them, so the
two never disagree. Plain Python: no Streamlit, so a lesson can be checked from the command line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

SAMPLE_COUNTS = (16, 36, 64)  # square grids of random draws
MAX_DRAW = 10_000
PRIOR_UNIT, POSTERIOR_UNIT = "prior sigma (= 1)", "posterior sigma_i"
MEAN_UNITS = (PRIOR_UNIT, POSTERIOR_UNIT)  # prior first: posterior sigmas of active dims are small, so moves are subtle
SPACINGS = {"gaussian (equal prior mass per cell)": "gaussian", "linear": "linear"}
PATHS = {"linear": "linear", "spherical (slerp)": "slerp"}
CLASS_CHOICES = [f"class {c}" for c in range(10)]
REAL_CHOICES = [f"real {c}" for c in range(10)]  # the first handwritten test digit of each class
CURRENT, PRIOR, UPLOAD = "current digit", "prior sample", "from upload/drawing"
ENDPOINTS = [*CLASS_CHOICES, *REAL_CHOICES, CURRENT, PRIOR]  # an upload only exists in its own session
REAL, MEAN = "Real digit", "Class mean"


@dataclass(frozen=True)
class Control:
    """One control: `key` is its widget key and URL parameter (a pattern with {d} for one per latent dimension,
    {model} for one per model); `kind` says what values it takes."""

    key: str
    kind: str  # "int", "float", "choice", "bool", "classes", "dim", "range"
    low: float = 0
    high: float = 0
    step: float = 1
    default: Any = None
    options: tuple = field(default=())

    def value(self, raw: Any, latent_dim: int) -> Any:
        """The widget value for `raw` (a lesson's YAML value, or a link's text); ValueError says why it is unusable."""
        if self.kind in ("int", "float"):
            number = _number(raw)
            if not self.low <= number <= self.high:
                raise ValueError(f"{self.key} must be from {self.low:g} to {self.high:g}, not {raw!r}")
            if self.kind == "int":
                if number != int(number):
                    raise ValueError(f"{self.key} must be a whole number, not {raw!r}")
                return int(number)
            if abs(round((number - self.low) / self.step) * self.step + self.low - number) > 1e-9:
                raise ValueError(f"{self.key} must be a multiple of {self.step:g} from {self.low:g}, not {raw!r}")
            return float(number)
        if self.kind == "choice":
            if raw not in self.options:
                raise ValueError(f"{self.key} must be one of {', '.join(map(str, self.options))}; not {raw!r}")
            return raw
        if self.kind == "bool":
            if isinstance(raw, bool):
                return raw
            if str(raw).lower() in ("true", "false"):
                return str(raw).lower() == "true"
            raise ValueError(f"{self.key} must be true or false, not {raw!r}")
        if self.kind == "classes":
            items = raw if isinstance(raw, list) else [raw]
            classes = sorted({int(_number(c)) for c in items})
            if any(c not in range(10) for c in classes):
                raise ValueError(f"{self.key} must list digit classes 0-9, not {raw!r}")
            return classes
        if self.kind == "dim":
            match = re.fullmatch(r"z?(\d+)", str(raw))
            if not match or int(match.group(1)) >= latent_dim:
                raise ValueError(f"{self.key} must be a latent dimension z0 ... z{latent_dim - 1}, not {raw!r}")
            return int(match.group(1))
        if self.kind == "range":
            if not isinstance(raw, list) or len(raw) != 2:
                raise ValueError(f"{self.key} must be two numbers [low, high], not {raw!r}")
            low, high = (Control(self.key, "float", self.low, self.high, self.step).value(v, latent_dim) for v in raw)
            if low >= high:
                raise ValueError(f"{self.key} must go from a lower to a higher number, not {raw!r}")
            return (low, high)
        raise AssertionError(self.kind)


def _number(raw: Any) -> float:
    try:
        return float(raw)
    except (TypeError, ValueError):
        raise ValueError(f"expected a number, not {raw!r}") from None


SEED = Control("seed", "int", 0, 2**31 - 1, default=0)
DIGIT_KIND = Control("digit_kind", "choice", default=REAL, options=(REAL, MEAN))
RECON_SAMPLES = Control("recon_samples", "int", 1, 8, default=4)
MEAN_UNIT = Control("mean_unit", "choice", default=PRIOR_UNIT, options=MEAN_UNITS)
MEAN_SHIFT = Control("mean_shift_z{d}", "float", -3.0, 3.0, 0.1, default=0.0)
VARIANCE_SCALE = Control("variance_scale", "float", 0.0, 3.0, 0.1, default=1.0)
SAMPLE_TEMPERATURE = Control("sample_temperature", "float", 0.1, 2.0, 0.1, default=1.0)
INTERP_STEPS = Control("interp_steps", "int", 3, 24, default=10)
MANIFOLD_N = Control("manifold_n", "int", 5, 30, default=20)
MANIFOLD_EPS = Control("manifold_eps", "float", 0.01, 0.2, 0.01, default=0.05)
MANIFOLD_ZMAX = Control("manifold_zmax", "float", 0.5, 5.0, 0.25, default=3.0)
PAD_RANGE = Control("pad_range", "range", -6.0, 6.0, 0.5, default=(-3.0, 3.0))
PAD_BACKDROP = Control("pad_backdrop", "bool", default=True)
PAD_POINTS = Control("pad_points", "bool", default=True)  # shown on a 2-D model only

# By page (url_path): the controls a link or a lesson step may set there. The sidebar's (model, seed, the digit
# and what its buttons give) apply on every page and are checked on their own.
PAGE_CONTROLS: dict[str, list[Control]] = {
    "start": [],
    "lessons": [],
    "reconstruct": [RECON_SAMPLES],
    "upload": [],
    "maths": [],
    "mean": [MEAN_UNIT, MEAN_SHIFT],
    "variance": [VARIANCE_SCALE, Control("variance_count", "choice", default=16, options=SAMPLE_COUNTS),
                 Control("variance_draws", "int", 0, MAX_DRAW, default=0)],
    "sample": [SAMPLE_TEMPERATURE, Control("sample_count", "choice", default=16, options=SAMPLE_COUNTS),
               Control("sample_draws", "int", 0, MAX_DRAW, default=0)],
    "interpolate": [Control("interp_a", "choice", default="class 4", options=tuple(ENDPOINTS)),
                    Control("interp_b", "choice", default="class 9", options=tuple(ENDPOINTS)),
                    INTERP_STEPS, Control("interp_method", "choice", default="linear", options=tuple(PATHS)),
                    Control("interp_t", "int", 0, INTERP_STEPS.high - 1, default=0)],
    "manifold": [MANIFOLD_N, Control("manifold_spacing", "choice", default=next(iter(SPACINGS)),
                                     options=tuple(SPACINGS)),
                 MANIFOLD_EPS, MANIFOLD_ZMAX, Control("manifold_dim_x", "dim"), Control("manifold_dim_y", "dim")],
    "map": [Control("map_classes", "classes", default=list(range(10))),
            Control("map_manifold_range", "bool", default=True)],
    "pad": [Control("pad_x_{model}", "dim"), Control("pad_y_{model}", "dim"), PAD_RANGE, PAD_BACKDROP,
            PAD_POINTS],
    "compare": [],
    "objectives": [],
    "replay": [Control("replay_epoch", "int", 0, 100_000)],
}
SIDEBAR_CONTROLS = [SEED, DIGIT_KIND]


def find_control(url_path: str, key: str, model: str) -> Control | None:
    """The control of page `url_path` (or the sidebar) whose key, with {d} and {model} filled in, is `key`."""
    for control in [*SIDEBAR_CONTROLS, *PAGE_CONTROLS.get(url_path, [])]:
        pattern = re.escape(control.key).replace(r"\{d\}", r"\d+").replace(r"\{model\}", re.escape(model))
        if re.fullmatch(pattern, key):
            return control
    return None
