"""Small PNG forecast charts drawn with Pillow (no plotting library needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

WIDTH, HEIGHT, PAD = 480, 240, 36
HISTORY, FORECAST, BAND, AXIS = (60, 60, 60), (200, 40, 90), (245, 205, 220), (170, 170, 170)


def forecast_chart(
    path: Path,
    history: np.ndarray,
    mean: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    *,
    title: str,
    start_label: str = "",
    end_label: str = "",
) -> Path:
    """Draw the history (grey), the forecast (red) and its interval (pink band) into a PNG.

    Returns:
        ``path``, written atomically (a reader never sees half a file).
    """
    from PIL import Image, ImageDraw

    history, mean, lo, hi = (np.asarray(a, dtype=float) for a in (history, mean, lo, hi))
    n, h = len(history), len(mean)
    top = float(max(history.max(initial=0), hi.max(initial=0))) or 1.0
    span = max(n + h - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        x = PAD + (WIDTH - 2 * PAD) * i / span
        y = HEIGHT - PAD - (HEIGHT - 2 * PAD) * (v / top)
        return x, y

    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    band = [xy(n - 1, history[-1])] + [xy(n + i, v) for i, v in enumerate(hi)]
    band += [xy(n + i, v) for i, v in reversed(list(enumerate(lo)))]
    draw.polygon(band, fill=BAND)
    draw.line([(PAD, HEIGHT - PAD), (WIDTH - PAD, HEIGHT - PAD)], fill=AXIS)
    draw.line([(PAD, PAD), (PAD, HEIGHT - PAD)], fill=AXIS)
    if n > 1:
        draw.line([xy(i, v) for i, v in enumerate(history)], fill=HISTORY, width=2)
    draw.line([xy(n - 1, history[-1])] + [xy(n + i, v) for i, v in enumerate(mean)], fill=FORECAST, width=2)
    split = xy(n - 1, 0)[0]
    draw.line([(split, PAD), (split, HEIGHT - PAD)], fill=AXIS)
    draw.text((PAD, 8), title[:70], fill=(0, 0, 0))
    draw.text((2, PAD - 12), f"{top:.3g}", fill=AXIS)
    draw.text((PAD, HEIGHT - PAD + 6), start_label, fill=(90, 90, 90))
    if end_label:
        draw.text((WIDTH - PAD - 6 * len(end_label), HEIGHT - PAD + 6), end_label, fill=(90, 90, 90))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.png")
    image.save(tmp, format="PNG")
    tmp.replace(path)
    return path
