"""Point labels that do not overlap: each label goes to the first free place around its
point (eight directions, growing distances), clear of the other labels and markers; a
label placed away from its point gets a thin leader line. Greedy, in the order given
(give the most important points first)."""
from __future__ import annotations

import numpy as np

DIRECTIONS = ((1, 1), (1, -1), (-1, 1), (-1, -1), (1, 0), (-1, 0), (0, 1), (0, -1))
STEPS = (2.0, 7.0, 14.0, 24.0, 36.0)  # points beyond the marker's edge
LEADER = 10.0  # a label this far (points) from its marker's edge gets a leader line


def place_labels(ax, xs, ys, labels, radii, *, fontsize: float = 8,
                 order=None) -> list:
    """Annotate point k of (xs, ys) with labels[k]; radii[k] is its marker's radius in
    points. Returns the annotations. The figure's layout must be settled (the data to
    display transform is read once)."""
    fig = ax.figure
    renderer = fig._get_renderer()  # the canvas's, without switching backends
    scale = fig.dpi / 72.0  # points to pixels
    centres = ax.transData.transform(np.column_stack([xs, ys]))
    inside = ax.get_window_extent(renderer)
    taken = [_box(cx, cy, r * scale, r * scale) for (cx, cy), r in zip(centres, radii)]
    placed = []
    for k in (order if order is not None else range(len(labels))):
        probe = ax.text(0, 0, str(labels[k]), fontsize=fontsize)
        extent = probe.get_window_extent(renderer)
        probe.remove()
        w, h = extent.width, extent.height
        best, best_cost = None, None
        for step in STEPS:
            for dx, dy in DIRECTIONS:
                off = (radii[k] + step) * scale
                cx = centres[k][0] + dx * (off + (w / 2 if dx else 0))
                cy = centres[k][1] + dy * (off + (h / 2 if dy else 0))
                box = _box(cx, cy, w / 2, h / 2)
                cost = sum(_overlap(box, other) for other in taken) + _outside(box, inside)
                if best_cost is None or cost < best_cost - 1e-9:
                    best, best_cost = (step, cx, cy, box), cost
            if best_cost == 0:
                break
        step, cx, cy, box = best
        leader = {"arrowstyle": "-", "color": "0.45", "lw": 0.6, "shrinkA": 0,
                  "shrinkB": radii[k]} if step >= LEADER else None
        placed.append(ax.annotate(
            str(labels[k]), (xs[k], ys[k]), textcoords="offset points",
            xytext=((cx - centres[k][0]) / scale, (cy - centres[k][1]) / scale),
            ha="center", va="center", fontsize=fontsize, zorder=5, arrowprops=leader,
            bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none", "alpha": 0.75}))
        taken.append(box)
    return placed


def _box(cx: float, cy: float, half_w: float, half_h: float) -> tuple:
    return (cx - half_w, cy - half_h, cx + half_w, cy + half_h)


def _overlap(a: tuple, b: tuple) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def _outside(box: tuple, frame) -> float:
    """How much of the box lies outside the axes (weighted: a label must stay inside)."""
    inner = _overlap(box, (frame.x0, frame.y0, frame.x1, frame.y1))
    return 10.0 * ((box[2] - box[0]) * (box[3] - box[1]) - inner)
