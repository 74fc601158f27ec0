"""Online trimming against data poisoning as update-rule dynamics over rounds.

Section VI of Fu, Ye, Du, Hu (arXiv 2403.10313): each round the collector receives a batch
of honest points plus poison, trims everything beyond its threshold percentile, and keeps
the rest; after the last round it runs k-means on what it kept.  A *scheme* is a pair of
update rules: the collector's trimming percentile T(i) and the adversary's injection
percentile(s) A(i), each a function of the round and of the history of play, so a spec's
update rules (``T(i+1) = Tth + k (A(i) - Tth - 1%)``, ...) lower to a scheme directly
(`recurrence_rules`, `sequence_rules`).

Percentiles of multivariate data.  The paper describes trimming and injection "in terms of
data percentiles" without saying of what; we use the distance from the centroid of the
clean data set: the q-th percentile is the radius R(q) = quantile_q ||x - c|| over the clean
points.  An honest point's percentile is the midpoint empirical CDF of its distance; a
poison point "at percentile a" sits at distance R(a) from c.  Trimming at T removes every
point whose percentile is >= T (compared after rounding to 1e-9, so a point exactly at the
threshold is trimmed); T = inf trims nothing.  The scale is fixed by the clean data, the
"publicly recognised quality standard" both players know in the paper's white-box model.

Poison placement.  The adversaries collude: all poison of one repetition lies on one ray
c + R(a) u, where u is the direction from c of a clean point drawn at random per
repetition, so poison sits on the outskirts of the data in a direction the data occupy
(a random direction in many dimensions would put it far from every cluster).

Stream.  Each repetition shuffles the data set and splits it into `rounds` batches (or,
with `batch_size`, draws each round's batch afresh from the whole set, so a point can
arrive in several rounds and is then weighted by its kept copies); in round i the attack ratio rho_i is drawn uniformly from the interval and
rho_i / (1 - rho_i) * n_i poison points are added (rounded stochastically, so small
batches still see poison at low ratios), making poison a share rho_i of the received batch
on average.  All random draws of a repetition (shuffle, ratios, adversary
randomness, direction) are shared by every scheme and both thresholds (common random
numbers), so differences between schemes are not sampling noise.

Metrics.  k-means is warm-started from the ground-truth centroids (k-means++ with a fixed
seed on the clean data) with one initialisation, so the measured change is the effect of
poisoning and trimming, not of a different local optimum.  SSE is the k-means objective of
the learned centroids on the *clean* data; Distance is the mean Euclidean distance between
learned and ground-truth centroids matched by the Hungarian assignment.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans
from sklearn.metrics import pairwise_distances_argmin_min
from threadpoolctl import threadpool_limits

from gamespec.errors import SolverError, SpecError

__all__ = [
    "ATTACK_INTERVALS",
    "PAPER_TABLE3",
    "PAPER_TABLE4",
    "SIZES",
    "CostRow",
    "ExperimentResult",
    "GroundTruth",
    "History",
    "NonEquilibriumRow",
    "PercentileScale",
    "PlayOutcome",
    "RepMetrics",
    "Scheme",
    "Size",
    "StreamDraws",
    "Summary",
    "TableRow",
    "baseline_random",
    "baseline_static",
    "constant_trim",
    "draw_stream",
    "elastic",
    "elastic_roundwise_cost",
    "elastic_sequences",
    "elastic_updates",
    "evading_share_trigger",
    "evaluate",
    "ground_truth",
    "mixed_injection",
    "no_trim",
    "non_equilibrium_table",
    "ostrich",
    "paper_schemes",
    "play",
    "point_injection",
    "recurrence_fixed_point",
    "recurrence_rules",
    "roundwise_cost_table",
    "run_experiment",
    "run_table",
    "sequence_rules",
    "standardize",
    "tit_for_tat",
    "triggered_trim",
    "uniform_injection",
]

PERCENT = 0.01
ROUNDING = 9  # decimals: percentiles equal to 1e-9 count as equal (a point at T is trimmed)
ATTACK_INTERVALS: tuple[tuple[float, float], ...] = ((0.0, 0.01), (0.05, 0.15), (0.2, 0.5))

# Table III (p, average termination rounds, Titfortat, Elastic) and Table IV
# (Round_no, k = 0.5 in %, k = 0.1 in %) as printed in the paper, for side-by-side output.
PAPER_TABLE3: tuple[tuple[float, float, float, float], ...] = (
    (0.0, 25, 0.22727, 0.22727), (0.1, 24.24, 0.19157, 0.22309),
    (0.2, 21.56, 0.19645, 0.21844), (0.3, 23.44, 0.19264, 0.21232),
    (0.4, 19.44, 0.18381, 0.20924), (0.5, 20.6, 0.17904, 0.20483),
    (0.6, 17.52, 0.17363, 0.19017), (0.7, 14.44, 0.16874, 0.17114),
    (0.8, 16.52, 0.17011, 0.15952), (0.9, 14.28, 0.17041, 0.15036),
    (1.0, 13, 0.18182, 0.14449),
)
PAPER_TABLE4: tuple[tuple[int, float, float], ...] = (
    (5, 0.608, 0.8), (10, 0.30404, 0.43281), (15, 0.20269, 0.28887), (20, 0.15202, 0.21667),
    (25, 0.12162, 0.17333), (30, 0.10135, 0.14444), (35, 0.086869, 0.12381),
    (40, 0.07601, 0.10833), (45, 0.067565, 0.096296), (50, 0.060808, 0.086667),
)


@dataclass(frozen=True)
class Size:
    """How much to run: rounds per game and repetitions per cell."""

    rounds: int
    repetitions: int


SIZES: Mapping[str, Size] = {"quick": Size(rounds=10, repetitions=6),
                             "paper": Size(rounds=20, repetitions=100)}


def standardize(data: np.ndarray) -> np.ndarray:
    """z-score each column (constant columns are only centred), so no feature dominates."""
    data = np.asarray(data, dtype=float)
    spread = data.std(axis=0)
    return (data - data.mean(axis=0)) / np.where(spread > 0, spread, 1.0)


# --------------------------------------------------------------------------- percentiles
@dataclass(frozen=True)
class PercentileScale:
    """Distance-from-centroid percentiles of a clean data set (see the module docstring)."""

    center: np.ndarray
    radii: np.ndarray  # sorted distances of the clean points from the center

    @classmethod
    def of(cls, data: np.ndarray) -> PercentileScale:
        """The scale of a clean data set (rows are points)."""
        data = _check_data(data)
        center = data.mean(axis=0)
        return cls(center, np.sort(np.linalg.norm(data - center, axis=1)))

    def radius(self, q: np.ndarray | float) -> np.ndarray:
        """R(q): the q-quantile of the distances (q clipped to [0, 1]); vectorised."""
        return np.quantile(self.radii, np.clip(q, 0.0, 1.0))

    def percentile(self, points: np.ndarray) -> np.ndarray:
        """Midpoint empirical CDF of each point's distance from the center."""
        dist = np.linalg.norm(np.atleast_2d(points) - self.center, axis=1)
        left = np.searchsorted(self.radii, dist, side="left")
        right = np.searchsorted(self.radii, dist, side="right")
        return (left + right) / (2.0 * len(self.radii))


def _check_data(data: np.ndarray) -> np.ndarray:
    data = np.asarray(data, dtype=float)
    if data.ndim != 2 or len(data) < 2:
        raise SpecError(f"data must be a 2-D array with at least two rows, got {data.shape}")
    if not np.all(np.isfinite(data)):
        raise SpecError("data contain missing or non-finite values")
    return data


def _below(values: np.ndarray, threshold: np.ndarray | float) -> np.ndarray:
    """values < threshold after rounding: the points a trim at `threshold` keeps."""
    return np.round(values, ROUNDING) < np.round(threshold, ROUNDING)


# --------------------------------------------------------------------------- rules
@dataclass
class History:
    """What has happened so far, one column per round; rules read it, `play` writes it."""

    trims: np.ndarray  # (reps, rounds) collector's trimming percentile (inf: none)
    injections: np.ndarray  # (reps, rounds) mean injected percentile of the round
    evading: np.ndarray  # (reps, rounds) share of the round's poison kept (nan: none sent)
    triggered: np.ndarray  # (reps,) has the trigger fired?
    trigger_round: np.ndarray  # (reps,) 1-based round in which it fired, 0 if never

    @classmethod
    def empty(cls, reps: int, rounds: int) -> History:
        """A history with no rounds played."""
        blank = np.full((reps, rounds), np.nan)
        return cls(blank.copy(), blank.copy(), blank.copy(), np.zeros(reps, bool),
                   np.zeros(reps, np.int64))


CollectorRule = Callable[[int, History], "np.ndarray | float"]
AdversaryRule = Callable[[int, History, np.ndarray], np.ndarray]
TriggerRule = Callable[[int, History], np.ndarray]
Recurrence = Callable[[np.ndarray, np.ndarray], "np.ndarray | float"]


@dataclass(frozen=True)
class Scheme:
    """A collector rule (round, history) -> T per repetition; an adversary rule
    (round, history, uniforms (reps, m)) -> injection percentile per poison point; and an
    optional trigger (round, history) -> fired per repetition, evaluated after each round.
    """

    name: str
    collector: CollectorRule
    adversary: AdversaryRule
    trigger: TriggerRule | None = None


def no_trim() -> CollectorRule:
    """Keep everything (T = inf)."""
    return lambda i, h: math.inf


def constant_trim(level: float) -> CollectorRule:
    """Trim at the same percentile every round."""
    return lambda i, h: level


def triggered_trim(before: float, after: float) -> CollectorRule:
    """Trim at `before` until the scheme's trigger fires, then at `after` for ever."""
    return lambda i, h: np.where(h.triggered, after, before)


def point_injection(level: float) -> AdversaryRule:
    """Inject every poison point at one percentile."""
    return lambda i, h, u: np.full_like(u, level)


def uniform_injection(low: float, high: float) -> AdversaryRule:
    """Inject each poison point at a percentile uniform in [low, high]."""
    return lambda i, h, u: low + (high - low) * u


def mixed_injection(high: float, low: float, p_high: float) -> AdversaryRule:
    """Inject each poison point at `high` with probability p_high, else at `low`."""
    return lambda i, h, u: np.where(u < p_high, high, low)


def sequence_rules(
    trims: Sequence[float], injections: Sequence[float]
) -> tuple[CollectorRule, AdversaryRule]:
    """Rules that replay numeric sequences: T(i) = trims[i], A(i) = injections[i]."""
    trims, injections = np.asarray(trims, float), np.asarray(injections, float)

    def collector(i: int, h: History) -> float:
        return float(trims[i])

    def adversary(i: int, h: History, u: np.ndarray) -> np.ndarray:
        return np.full_like(u, injections[i])

    return collector, adversary


def recurrence_rules(
    t_first: float, a_first: float, t_next: Recurrence, a_next: Recurrence
) -> tuple[CollectorRule, AdversaryRule]:
    """First-order update rules T(i+1) = t_next(T(i), A(i)), A(i+1) = a_next(T(i), A(i)).

    A(i) seen by the collector is the mean injected percentile of round i (what it
    observes), so the collector rule also works against an adversary that is not
    following the recurrence.  `t_next`/`a_next` take and return NumPy arrays (e.g.
    lambdified from a spec's update rules).
    """

    def collector(i: int, h: History) -> np.ndarray | float:
        return t_first if i == 0 else t_next(h.trims[:, i - 1], h.injections[:, i - 1])

    def adversary(i: int, h: History, u: np.ndarray) -> np.ndarray:
        level = a_first if i == 0 else a_next(h.trims[:, i - 1], h.injections[:, i - 1])
        return np.broadcast_to(np.reshape(level, (-1, 1)), u.shape).astype(float)

    return collector, adversary


def evading_share_trigger(expected: float, redundancy: float) -> TriggerRule:
    """Fire when the share of a round's poison that survived trimming exceeds
    `expected + redundancy` (Table III: expected = 1 - p, redundancy 5%)."""
    return lambda i, h: np.nan_to_num(h.evading[:, i], nan=0.0) > expected + redundancy


# --------------------------------------------------------------------------- paper schemes
def ostrich() -> Scheme:
    """No trimming; the adversary, knowing it, injects at the 99th percentile."""
    return Scheme("Ostrich", no_trim(), point_injection(0.99))


def baseline_random(tth: float, low: float = 0.9, high: float = 1.0) -> Scheme:
    """Static trim at Tth; poison uniform in the [0.9, 1] percentile range."""
    return Scheme("Baseline_0.9", constant_trim(tth), uniform_injection(low, high))


def baseline_static(tth: float) -> Scheme:
    """Static trim at Tth; the ideal attacker injects just inside it, at Tth - 1%."""
    return Scheme("Baseline_static", constant_trim(tth), point_injection(tth - PERCENT))


def tit_for_tat(tth: float, compliant: float | None = None) -> Scheme:
    """Trim at Tth + 1% until triggered, then Tth - 3% for ever; the equilibrium adversary
    complies by injecting at Tth (`compliant`), so the trigger never fires (Section VI-B
    assumes no early termination)."""
    return Scheme(
        "Titfortat",
        triggered_trim(tth + PERCENT, tth - 3 * PERCENT),
        point_injection(tth if compliant is None else compliant),
    )


def elastic_updates(tth: float, k: float) -> tuple[float, float, Recurrence, Recurrence]:
    """Elastic_k: T(1) = Tth - 3%, A(1) = Tth + 1%, T(i+1) = Tth + k (A(i) - Tth - 1%),
    A(i+1) = Tth - 3% + k (T(i) - Tth)."""
    return (
        tth - 3 * PERCENT,
        tth + PERCENT,
        lambda t, a: tth + k * (a - tth - PERCENT),
        lambda t, a: tth - 3 * PERCENT + k * (t - tth),
    )


def elastic(tth: float, k: float) -> Scheme:
    """Collector and adversary both follow the Elastic_k recurrence."""
    collector, adversary = recurrence_rules(*elastic_updates(tth, k))
    return Scheme(f"Elastic_{k:g}", collector, adversary)


def paper_schemes(tth: float) -> list[Scheme]:
    """The six schemes of Section VI-B, in the paper's order."""
    return [ostrich(), baseline_random(tth), baseline_static(tth), tit_for_tat(tth),
            elastic(tth, 0.1), elastic(tth, 0.5)]


# --------------------------------------------------------------------------- recurrences
def elastic_sequences(tth: float, k: float, rounds: int) -> tuple[np.ndarray, np.ndarray]:
    """T(1..rounds) and A(1..rounds) of Elastic_k played against itself."""
    return _iterate(*elastic_updates(tth, k), rounds)


def _iterate(
    t_first: float, a_first: float, t_next: Recurrence, a_next: Recurrence, rounds: int
) -> tuple[np.ndarray, np.ndarray]:
    trims, injections = np.empty(rounds), np.empty(rounds)
    trims[0], injections[0] = t_first, a_first
    for i in range(1, rounds):
        trims[i] = t_next(trims[i - 1], injections[i - 1])
        injections[i] = a_next(trims[i - 1], injections[i - 1])
    return trims, injections


def recurrence_fixed_point(
    t_first: float, a_first: float, t_next: Recurrence, a_next: Recurrence,
    *, max_rounds: int = 100_000, tol: float = 1e-13,
) -> tuple[float, float]:
    """The (T*, A*) the recurrence settles at; SolverError if it does not converge."""
    t, a = t_first, a_first
    for _ in range(max_rounds):
        t_new, a_new = float(t_next(t, a)), float(a_next(t, a))
        if abs(t_new - t) <= tol and abs(a_new - a) <= tol:
            return t_new, a_new
        t, a = t_new, a_new
    raise SolverError(
        f"the update rules did not settle within {max_rounds} rounds",
        hint="an elastic response needs |k| < 1 to converge",
    )


def elastic_roundwise_cost(tth: float, k: float, rounds: int) -> float:
    """Table IV: mean over rounds 1..R of |(T(i) - A(i)) - (T* - A*)|, in percent.

    Our reading of "the difference between the percentile of the collector's soft trim and
    the actual percentile of the injected poison before reaching equilibrium": the excess
    of the round's trim-injection gap over its equilibrium value, zero at equilibrium.
    """
    updates = elastic_updates(tth, k)
    trims, injections = _iterate(*updates, rounds)
    t_star, a_star = recurrence_fixed_point(*updates)
    cost = np.abs((trims - injections) - (t_star - a_star))
    return float(cost.mean() / PERCENT)


@dataclass(frozen=True)
class CostRow:
    """One row of Table IV: rounds and round-wise cost (%) per k."""

    rounds: int
    cost: Mapping[float, float]


def roundwise_cost_table(
    ks: Sequence[float] = (0.5, 0.1), rounds: Sequence[int] = tuple(range(5, 55, 5)),
    tth: float = 0.9,
) -> list[CostRow]:
    """Table IV for our cost definition (independent of Tth: the dynamics are shifts)."""
    return [CostRow(r, {k: elastic_roundwise_cost(tth, k, r) for k in ks}) for r in rounds]


# --------------------------------------------------------------------------- the stream
@dataclass(frozen=True)
class StreamDraws:
    """Every random draw of a run, shared by all schemes (common random numbers)."""

    batches: np.ndarray  # (reps, rounds, b) indices of each round's honest points, -1 pad
    batch_sizes: np.ndarray  # (rounds,) honest points per round
    n: int  # size of the data set the indices refer to
    ratios: np.ndarray  # (reps, rounds) attack ratio of each round
    poison_counts: np.ndarray  # (reps, rounds)
    uniforms: np.ndarray  # (reps, rounds, max poison per round) adversary's randomness
    anchors: np.ndarray  # (reps,) clean point whose direction from the center the poison takes

    @property
    def repetitions(self) -> int:
        """Number of repetitions."""
        return self.batches.shape[0]

    @property
    def rounds(self) -> int:
        """Number of rounds."""
        return len(self.batch_sizes)


def _split_batches(
    rng: np.random.Generator, n: int, rounds: int, repetitions: int
) -> np.ndarray:
    """Each repetition: a shuffle of range(n) cut into `rounds` near-equal batches."""
    order = rng.permuted(np.tile(np.arange(n), (repetitions, 1)), axis=1)
    pieces = np.array_split(np.arange(n), rounds)
    batches = np.full((repetitions, rounds, len(pieces[0])), -1, dtype=np.int64)
    for i, piece in enumerate(pieces):
        batches[:, i, : len(piece)] = order[:, piece]
    return batches


def _sampled_batches(
    rng: np.random.Generator, n: int, rounds: int, repetitions: int, size: int
) -> np.ndarray:
    """Each round: `size` points drawn without replacement from the whole set."""
    if not 1 <= size <= n:
        raise SpecError(f"batch size must be between 1 and {n}, got {size}")
    keys = rng.random((repetitions, rounds, n))
    return np.argsort(keys, axis=2)[:, :, :size]


def draw_stream(
    n: int, rounds: int, repetitions: int,
    ratio_interval: tuple[float, float], seed: int | np.random.SeedSequence = 0,
    *, batch_size: int | None = None,
) -> StreamDraws:
    """Batches of honest points per round (shuffle-and-split, or `batch_size` points drawn
    afresh each round); attack ratios, poison counts, adversary uniforms and the poison
    ray's anchor point, for every repetition."""
    low, high = ratio_interval
    if not 0 <= low <= high < 1:
        raise SpecError(f"attack ratio interval must lie in [0, 1), got [{low}, {high}]")
    if not 1 <= rounds <= n and batch_size is None:
        raise SpecError(f"need between 1 and {n} rounds, got {rounds}")
    rng = np.random.default_rng(seed)
    if batch_size is None:
        batches = _split_batches(rng, n, rounds, repetitions)
    else:
        batches = _sampled_batches(rng, n, rounds, repetitions, batch_size)
    batch_sizes = (batches[0] >= 0).sum(axis=1)
    ratios = rng.uniform(low, high, size=(repetitions, rounds))
    expected = ratios / (1 - ratios) * batch_sizes
    counts = np.floor(expected + rng.random(expected.shape)).astype(np.int64)
    uniforms = rng.random((repetitions, rounds, max(1, int(counts.max()))))
    anchors = rng.integers(0, n, size=repetitions)
    return StreamDraws(batches, batch_sizes, n, ratios, counts, uniforms, anchors)


# --------------------------------------------------------------------------- playing
@dataclass(frozen=True)
class PlayOutcome:
    """Who was kept in every repetition of one scheme, and the thresholds played."""

    scheme: str
    history: History
    honest_kept: np.ndarray  # (reps, n) number of kept copies of each clean point
    honest_received: np.ndarray  # (reps,) honest points received over the game
    poison_percentile: np.ndarray  # (reps, rounds, m) injected percentile (nan: no point)
    poison_kept: np.ndarray  # (reps, rounds, m) bool

    def termination_rounds(self) -> np.ndarray:
        """Round in which the trigger fired, or the number of rounds if it never did."""
        rounds = self.history.trims.shape[1]
        fired = self.history.trigger_round
        return np.where(fired > 0, fired, rounds)

    def untrimmed_poison_share(self) -> np.ndarray:
        """Per repetition: poison points kept / all points kept, over the whole game."""
        poison = self.poison_kept.sum(axis=(1, 2))
        return poison / np.maximum(poison + self.honest_kept.sum(axis=1), 1)


def _per_rep(value: np.ndarray | float, reps: int) -> np.ndarray:
    return np.broadcast_to(np.asarray(value, dtype=float), (reps,)).copy()


def _masked_mean(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Row means over `mask`; rows with nothing selected fall back to the plain mean."""
    count = mask.sum(axis=1)
    chosen = np.where(mask, values, 0.0).sum(axis=1) / np.maximum(count, 1)
    return np.where(count > 0, chosen, values.mean(axis=1))


def play(scheme: Scheme, honest_percentile: np.ndarray, draws: StreamDraws) -> PlayOutcome:
    """Run a scheme round by round, vectorised over repetitions."""
    history = History.empty(draws.repetitions, draws.rounds)
    poison_pct = np.full(draws.uniforms.shape, np.nan)
    poison_kept = np.zeros(draws.uniforms.shape, dtype=bool)
    for i in range(draws.rounds):
        poison_pct[:, i, :], poison_kept[:, i, :] = _play_round(scheme, i, history, draws)
    honest_kept = _kept_copies(honest_percentile, draws, history.trims)
    received = (draws.batches >= 0).sum(axis=(1, 2))
    return PlayOutcome(scheme.name, history, honest_kept, received, poison_pct, poison_kept)


def _play_round(
    scheme: Scheme, i: int, history: History, draws: StreamDraws
) -> tuple[np.ndarray, np.ndarray]:
    """Both moves of round i, recorded in `history`; returns poison percentiles and kept."""
    trim = _per_rep(scheme.collector(i, history), draws.repetitions)
    planned = np.asarray(scheme.adversary(i, history, draws.uniforms[:, i, :]), float)
    count = draws.poison_counts[:, i]
    sent = np.arange(planned.shape[1])[None, :] < count[:, None]
    kept = sent & _below(planned, trim[:, None])
    history.trims[:, i] = trim
    history.injections[:, i] = _masked_mean(planned, sent)
    history.evading[:, i] = np.where(count > 0, kept.sum(axis=1) / np.maximum(count, 1), np.nan)
    if scheme.trigger is not None:
        fired = np.asarray(scheme.trigger(i, history), bool) & ~history.triggered
        history.trigger_round[fired] = i + 1
        history.triggered |= fired
    return np.where(sent, planned, np.nan), kept


def _kept_copies(
    honest_percentile: np.ndarray, draws: StreamDraws, trims: np.ndarray
) -> np.ndarray:
    """(reps, n): how many copies of each clean point survived its rounds' trims."""
    arrived = draws.batches >= 0
    pct = np.where(arrived, honest_percentile[np.maximum(draws.batches, 0)], np.nan)
    kept = arrived & _below(pct, trims[:, :, None])
    reps = draws.repetitions
    flat = (np.arange(reps)[:, None, None] * draws.n + draws.batches)[kept]
    return np.bincount(flat, minlength=reps * draws.n).reshape(reps, draws.n)


# --------------------------------------------------------------------------- clustering
@dataclass(frozen=True)
class GroundTruth:
    """k-means on the clean data: the reference centroids and their SSE."""

    centroids: np.ndarray
    sse: float


def ground_truth(data: np.ndarray, n_clusters: int, seed: int = 0, n_init: int = 4) -> GroundTruth:
    """k-means++ with a fixed seed and a few initialisations on the clean data."""
    data = _check_data(data)
    if not 1 <= n_clusters <= len(data):
        raise SpecError(f"cannot make {n_clusters} clusters of {len(data)} points")
    model = KMeans(n_clusters, n_init=n_init, random_state=seed).fit(data)
    return GroundTruth(model.cluster_centers_, float(model.inertia_))


@dataclass(frozen=True)
class RepMetrics:
    """Per-repetition metrics of one scheme (arrays of length reps)."""

    sse: np.ndarray
    distance: np.ndarray
    poison_share: np.ndarray
    honest_trimmed: np.ndarray
    termination: np.ndarray


def _direction(data: np.ndarray, scale: PercentileScale, anchor: int) -> np.ndarray:
    """Unit vector from the center towards a clean point (first axis if they coincide)."""
    offset = data[anchor] - scale.center
    norm = np.linalg.norm(offset)
    return offset / norm if norm > 0 else np.eye(len(offset))[0]


def _kept_points(
    outcome: PlayOutcome, rep: int, data: np.ndarray, scale: PercentileScale,
    direction: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Kept honest points and kept poison (identical poison merged into one weighted row)."""
    copies = outcome.honest_kept[rep]
    honest = data[copies > 0]
    levels = outcome.poison_percentile[rep][outcome.poison_kept[rep]]
    levels, weights = np.unique(np.round(levels, ROUNDING), return_counts=True)
    poison = scale.center + scale.radius(levels)[:, None] * direction[None, :]
    points = np.vstack([honest, poison])
    return points, np.concatenate([copies[copies > 0], weights]).astype(float)


def _centroid_distance(learned: np.ndarray, truth: np.ndarray) -> float:
    """Mean distance between centroids matched by the Hungarian assignment."""
    cost = np.linalg.norm(learned[:, None, :] - truth[None, :, :], axis=2)
    rows, cols = linear_sum_assignment(cost)
    return float(cost[rows, cols].mean())


def _clean_sse(data: np.ndarray, centroids: np.ndarray) -> float:
    _, dist = pairwise_distances_argmin_min(data, centroids)
    return float(np.sum(dist**2))


def evaluate(
    outcome: PlayOutcome, data: np.ndarray, scale: PercentileScale, draws: StreamDraws,
    truth: GroundTruth, *, seed: int = 0, kmeans_threads: int | None = 1,
) -> RepMetrics:
    """k-means (warm-started at the ground truth) on what each repetition kept.

    Lloyd runs in float32 (1.5x faster, centroids agree with float64 to ~1e-6) on one
    thread per process by default: parallelism belongs to the repetitions, not to a
    k-means on a few thousand points.
    """
    reps, k = draws.repetitions, len(truth.centroids)
    sse, distance = np.empty(reps), np.empty(reps)
    with threadpool_limits(limits=kmeans_threads):
        for rep in range(reps):
            direction = _direction(data, scale, int(draws.anchors[rep]))
            points, weights = _kept_points(outcome, rep, data, scale, direction)
            if len(points) < k:
                raise SolverError(
                    f"only {len(points)} points survive trimming in {outcome.scheme}; "
                    f"cannot make {k} clusters",
                    hint="trim less or use more rounds of data",
                )
            model = KMeans(k, init=truth.centroids.astype(np.float32), n_init=1,
                           random_state=seed)
            model.fit(points.astype(np.float32), sample_weight=weights.astype(np.float32))
            centroids = model.cluster_centers_.astype(float)
            sse[rep] = _clean_sse(data, centroids)
            distance[rep] = _centroid_distance(centroids, truth.centroids)
    return RepMetrics(
        sse=sse,
        distance=distance,
        poison_share=outcome.untrimmed_poison_share(),
        honest_trimmed=1.0 - outcome.honest_kept.sum(axis=1) / outcome.honest_received,
        termination=outcome.termination_rounds().astype(float),
    )


# --------------------------------------------------------------------------- experiments
@dataclass(frozen=True)
class Summary:
    """Mean and standard error over repetitions of each metric of one scheme."""

    scheme: str
    mean: Mapping[str, float]
    se: Mapping[str, float]

    @classmethod
    def of(cls, scheme: str, metrics: RepMetrics) -> Summary:
        """Summarise per-repetition metrics."""
        mean, se = {}, {}
        for name in ("sse", "distance", "poison_share", "honest_trimmed", "termination"):
            values = getattr(metrics, name)
            mean[name] = float(values.mean())
            se[name] = float(values.std(ddof=1) / math.sqrt(len(values))) if len(values) > 1 \
                else math.nan
        return cls(scheme, mean, se)


@dataclass(frozen=True)
class ExperimentResult:
    """All schemes on one data set, one attack-ratio interval and one Tth."""

    truth: GroundTruth
    summaries: tuple[Summary, ...]
    seconds: float

    def by_scheme(self) -> dict[str, Summary]:
        """Summaries keyed by scheme name."""
        return {s.scheme: s for s in self.summaries}


def run_experiment(
    data: np.ndarray, n_clusters: int, schemes: Sequence[Scheme],
    ratio_interval: tuple[float, float], *, size: Size = SIZES["quick"],
    seed: int | np.random.SeedSequence = 0, truth: GroundTruth | None = None,
    kmeans_threads: int | None = 1,
) -> ExperimentResult:
    """Play every scheme on the same stream draws and evaluate them with k-means."""
    start = time.perf_counter()
    data = _check_data(data)
    truth = truth or ground_truth(data, n_clusters)
    scale = PercentileScale.of(data)
    honest_pct = scale.percentile(data)
    draws = draw_stream(len(data), size.rounds, size.repetitions, ratio_interval, seed)
    summaries = tuple(
        Summary.of(s.name, evaluate(play(s, honest_pct, draws), data, scale, draws, truth,
                                    kmeans_threads=kmeans_threads))
        for s in schemes
    )
    return ExperimentResult(truth, summaries, time.perf_counter() - start)


@dataclass(frozen=True)
class TableRow:
    """One cell group of the Section VI table: a data set, interval and Tth."""

    dataset: str
    interval: tuple[float, float]
    tth: float
    result: ExperimentResult


@dataclass(frozen=True)
class _Task:
    dataset: str
    data: np.ndarray
    n_clusters: int
    truth: GroundTruth
    interval: tuple[float, float]
    tth: float
    size: Size
    seed: np.random.SeedSequence
    scheme_factory: Callable[[float], list[Scheme]] = field(default=paper_schemes)


def _run_task(task: _Task) -> TableRow:
    result = run_experiment(task.data, task.n_clusters, task.scheme_factory(task.tth),
                            task.interval, size=task.size, seed=task.seed, truth=task.truth)
    return TableRow(task.dataset, task.interval, task.tth, result)


def run_table(
    datasets: Mapping[str, tuple[np.ndarray, int]],
    *,
    intervals: Sequence[tuple[float, float]] = ATTACK_INTERVALS,
    tths: Sequence[float] = (0.9, 0.97),
    size: Size = SIZES["paper"],
    seed: int = 0,
    n_jobs: int = 1,
    scheme_factory: Callable[[float], list[Scheme]] = paper_schemes,
) -> list[TableRow]:
    """The Section VI grid: data sets x attack intervals x Tth, every scheme in each.

    Draws depend on (seed, data set, interval) only, so both thresholds and all schemes
    see the same streams, and results do not depend on `n_jobs` (processes).
    `scheme_factory` must be picklable (a module-level function) when n_jobs > 1.
    """
    tasks = []
    for d_index, (name, (data, k)) in enumerate(datasets.items()):
        data = _check_data(data)
        truth = ground_truth(data, k, seed=seed)
        for i_index, interval in enumerate(intervals):
            stream_seed = np.random.SeedSequence([seed, d_index, i_index])
            tasks += [_Task(name, data, k, truth, tuple(interval), tth, size, stream_seed,
                            scheme_factory) for tth in tths]
    order = sorted(range(len(tasks)), key=lambda j: -tasks[j].data.size)  # big ones first
    if n_jobs > 1:
        with ProcessPoolExecutor(max_workers=n_jobs) as pool:
            done = dict(zip(order, pool.map(_run_task, [tasks[j] for j in order])))
    else:
        done = {j: _run_task(tasks[j]) for j in order}
    return [done[j] for j in range(len(tasks))]


# --------------------------------------------------------------------------- Table III
@dataclass(frozen=True)
class NonEquilibriumRow:
    """Table III row: mixing probability p, Titfortat termination and untrimmed shares."""

    p: float
    termination: float
    titfortat_share: float
    elastic_share: float


def non_equilibrium_table(
    data: np.ndarray,
    probabilities: Sequence[float] = tuple(i / 10 for i in range(11)),
    *,
    ratio: float = 0.2,
    rounds: int = 25,
    repetitions: int = 100,
    tth: float = 0.93,
    redundancy: float = 0.05,
    k: float = 0.5,
    batch: int | str = "full",
    seed: int = 0,
) -> list[NonEquilibriumRow]:
    """Adversary injecting at the 99th percentile w.p. p and the 90th otherwise.

    Titfortat trims at Tth + 1% and, once the share of a round's poison that evades
    trimming exceeds (1 - p) + redundancy, at Tth - 3% (= the 90th percentile for the
    default Tth = 0.93) for ever; Elastic_k updates T(i+1) = Tth + k (A(i) - Tth - 1%) from
    the observed mean injection A(i).  Reports the mean termination round and the share of
    untrimmed poison among kept points.  No clustering is involved.

    `batch`: "full" (every round brings the whole data set, as "the collector collects and
    trims the same amount of data" each round; the trigger then sees ~0.25 n poison per
    round), "split" (the data set is cut into `rounds` batches) or a batch size.  The
    trigger's false alarms, hence the termination rounds, depend strongly on this.
    """
    data = _check_data(data)
    scale = PercentileScale.of(data)
    honest_pct = scale.percentile(data)
    size = {"full": len(data), "split": None}.get(batch, batch) if isinstance(batch, str) \
        else batch
    if isinstance(size, str):
        raise SpecError(f"batch must be 'full', 'split' or a size, got {batch!r}")
    draws = draw_stream(len(data), rounds, repetitions, (ratio, ratio), seed, batch_size=size)
    rows = []
    for p in probabilities:
        adversary = mixed_injection(0.99, 0.90, p)
        tft = Scheme("Titfortat", triggered_trim(tth + PERCENT, tth - 3 * PERCENT), adversary,
                     evading_share_trigger(1 - p, redundancy))
        el_collector, _ = recurrence_rules(*elastic_updates(tth, k))
        el = Scheme(f"Elastic_{k:g}", el_collector, adversary)
        tft_out, el_out = play(tft, honest_pct, draws), play(el, honest_pct, draws)
        rows.append(NonEquilibriumRow(
            p=float(p),
            termination=float(tft_out.termination_rounds().mean()),
            titfortat_share=float(tft_out.untrimmed_poison_share().mean()),
            elastic_share=float(el_out.untrimmed_poison_share().mean()),
        ))
    return rows
