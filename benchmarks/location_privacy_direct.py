"""The location-privacy game of specs/location_privacy.game, written by hand: plain Python and
NumPy read the Foursquare files, the leader's LP is built as CSC arrays and handed to highspy.

No gamespec import: this is the reference `benchmarks/end_to_end.py` times `gamespec solve`
against. It computes what the spec asks for: the game's value (the leader's LP, HiGHS
defaults; the adversary's strategy from the row duals), the follower's best-response check,
and each declared baseline (obfuscation of level k = 1..5: its value against the optimal
attack, against the Bayesian attack, and the optimal value at its quality level, re-solved in
the same HiGHS instance after changing the quality row's bound). Prints one JSON object
(its last line: HiGHS prints a banner first).

    python benchmarks/location_privacy_direct.py --n-regions 100 [--user 1] [--qmax 0.869]
"""
from __future__ import annotations

import argparse
import json
import os

import highspy
import numpy as np

EARTH_RADIUS_KM = 6371.0088


def read_city(folder: str, nx: int, ny: int, top: int, user: int):
    """Region centres (km) and the user's profile psi, as the spec's checkin_regions builds them."""
    place_lat, place_lon = {}, {}
    with open(os.path.join(folder, "Location.txt")) as fh:
        for line in fh:
            pid, lat, lon = line.split()
            place_lat[pid], place_lon[pid] = float(lat), float(lon)
    users, lat, lon, counts = [], [], [], []
    with open(os.path.join(folder, "checkins_user_loc_count.txt")) as fh:
        for line in fh:
            u, pid, c = line.split()
            if pid in place_lat:
                users.append(u)
                lat.append(place_lat[pid])
                lon.append(place_lon[pid])
                counts.append(float(c))
    lat, lon, counts = np.array(lat), np.array(lon), np.array(counts)
    lat0, lon0 = lat.min(), lon.min()
    scale = np.pi / 180.0 * EARTH_RADIUS_KM
    cos_mid = np.cos(np.deg2rad(0.5 * (lat0 + lat.max())))
    x, y = (lon - lon0) * scale * cos_mid, (lat - lat0) * scale
    width, height = (lon.max() - lon0) * scale * cos_mid, (lat.max() - lat0) * scale
    ix = np.clip(np.floor(x / width * nx).astype(np.int64), 0, nx - 1)
    iy = np.clip(np.floor(y / height * ny).astype(np.int64), 0, ny - 1)
    cell = ix + nx * iy
    per_cell = np.bincount(cell, weights=counts, minlength=nx * ny)
    regions = np.argsort(-per_cell, kind="stable")[:top]
    k = np.arange(nx * ny)
    centres = np.column_stack([(k % nx + 0.5) * width / nx, (k // nx + 0.5) * height / ny])
    position = np.full(nx * ny, -1)
    position[regions] = np.arange(regions.size)
    inside = position[cell] >= 0
    labels, who = np.unique(np.array(users)[inside], return_inverse=True)
    visits = np.zeros((labels.size, regions.size))
    np.add.at(visits, (who, position[cell[inside]]), counts[inside])
    activity = visits.sum(axis=1)
    ranked = np.argsort(-activity, kind="stable")
    chosen = ranked[user - 1]
    return centres[regions], visits[chosen] / activity[chosen]


def leader_lp(psi: np.ndarray, dp: np.ndarray, dq: np.ndarray, qmax: float) -> highspy.Highs:
    """max sum_s x_s s.t. x_s <= sum_r psi_r dp[a, r] f[r, s] (all s, a), sum_s f[r, s] = 1,
    sum psi_r dq[s, r] f[r, s] <= qmax; columns f[r, s] (r-major) then x_s."""
    n = psi.size
    cost = psi[:, None] * dp.T  # cost[r, a] = psi_r dp[a, r]
    # column f[r, s]: -cost[r, a] in best-response row s * n + a, 1 in row-sum row n^2 + r,
    # psi_r dq[s, r] in the quality row n^2 + n
    data = np.empty((n, n, n + 2))
    data[:, :, :n] = -cost[:, None, :]
    data[:, :, n] = 1.0
    data[:, :, n + 1] = psi[:, None] * dq.T
    rows = np.empty((n, n, n + 2), dtype=np.int32)
    rows[:, :, :n] = np.arange(n)[None, :, None] * n + np.arange(n)[None, None, :]
    rows[:, :, n] = n * n + np.arange(n)[:, None]
    rows[:, :, n + 1] = n * n + n
    data, rows = data.reshape(n * n, n + 2), rows.reshape(n * n, n + 2)
    keep = data != 0
    x_rows = np.arange(n * n, dtype=np.int32)  # column x_s: 1 in rows s * n + a
    starts = np.zeros(n * n + n + 1, dtype=np.int32)
    np.cumsum(np.concatenate([keep.sum(axis=1), np.full(n, n)]), out=starts[1:])
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n * n + n, n * n + n + 1
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_cost_ = np.concatenate([np.zeros(n * n), np.ones(n)])
    lp.col_lower_ = np.concatenate([np.zeros(n * n), np.full(n, -highspy.kHighsInf)])
    lp.col_upper_ = np.full(n * n + n, highspy.kHighsInf)
    lp.row_lower_ = np.concatenate([np.full(n * n, -highspy.kHighsInf), np.ones(n),
                                    [-highspy.kHighsInf]])
    lp.row_upper_ = np.concatenate([np.zeros(n * n), np.ones(n), [qmax]])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = starts
    lp.a_matrix_.index_ = np.concatenate([rows[keep], x_rows])
    lp.a_matrix_.value_ = np.concatenate([data[keep], np.ones(n * n)])
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(lp)
    return h


def attack_value(psi, dp, f) -> float:
    """The leader's value against the optimal attack: per observation s, the closest guess."""
    loss = np.einsum("r,rs,ar->sa", psi, f, dp)
    return float(loss.min(axis=1).sum())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-regions", type=int, default=30)
    ap.add_argument("--user", type=int, default=1)
    ap.add_argument("--qmax", type=float, default=0.869)
    ap.add_argument("--data", default=os.path.join(os.environ.get("GAMESPEC_DATA_MIRROR", "."),
                                                   "foursquare_sg"))
    args = ap.parse_args()
    n = args.n_regions
    centres, psi = read_city(args.data, 20, 15, n, args.user)
    dp = np.sqrt(((centres[:, None, :] - centres[None, :, :]) ** 2).sum(axis=-1))
    dq = 1.0 - np.eye(n)
    h = leader_lp(psi, dp, dq, args.qmax)
    h.run()
    value = h.getInfo().objective_function_value
    sol = h.getSolution()
    f = np.maximum(np.array(sol.col_value[: n * n]).reshape(n, n), 0)
    f /= f.sum(axis=1, keepdims=True)
    attack = np.abs(np.array(sol.row_dual[: n * n]).reshape(n, n))
    out = {"n_regions": n, "value": value, "value_of_f_against_best_attack":
           attack_value(psi, dp, f), "attack_rows_sum_to_one":
           bool(np.allclose(attack.sum(axis=1), 1.0, atol=1e-7)), "compare": {}}
    rank = np.argsort(np.argsort(dp, axis=1, kind="stable"), axis=1, kind="stable")
    levels: dict[float, float] = {}
    for k in range(1, 6):
        fk = (rank < k) / k
        level = float(np.einsum("r,rs,sr->", psi, fk, dq))
        if level not in levels:
            h.changeRowBounds(n * n + n, -highspy.kHighsInf, level)
            h.run()
            levels[level] = h.getInfo().objective_function_value
        seen = psi @ fk  # Pr(observe s)
        bayes = np.where(seen[:, None] > 0, (psi[:, None] * fk).T / np.where(seen > 0, seen, 1)[
            :, None], np.eye(n))
        for name, extra in ((f"obfuscation[{k}]", {}), (f"obfuscation_bayes[{k}]", {
                "value_against_profile_response": float(np.einsum("r,rs,sa,ar->", psi, fk,
                                                                  bayes, dp))})):
            out["compare"][name] = {"value_against_optimal_response": attack_value(psi, dp, fk),
                                    "quality": level,
                                    "optimal_value_at_same_constraint_levels": levels[level],
                                    **extra}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
