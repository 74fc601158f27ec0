"""Signalling games: recognition, beliefs and weak PBE, and the intuitive criterion, on
beer-quiche (known answer: only Beer-pooling survives) and a job-market signalling game
whose answer is derived by hand below."""
from __future__ import annotations

import json
import random
from fractions import Fraction as F

from oracles.trees import beer_quiche, entry_game, kuhn_poker

from gamespec.game_tree import nested_tree
from gamespec.solvers.trees.behaviour import pure_behaviour
from gamespec.solvers.trees.belief_polytope import _lp_witness, witness_belief
from gamespec.solvers.trees.beliefs import (
    bayes_beliefs,
    sequentially_rational,
    supporting_beliefs,
    weak_pbe,
)
from gamespec.solvers.trees.intuitive_criterion import intuitive_criterion
from gamespec.solvers.trees.normal_form_equilibria import tree_equilibria
from gamespec.solvers.trees.refinements import refinements
from gamespec.solvers.trees.signalling import signalling_game


def pooling_groups(tree):
    """The equilibria grouped by what both types send: {"Beer": [...], ...}."""
    game = signalling_game(tree)
    groups: dict[str, list] = {}
    for eq in tree_equilibria(tree).equilibria:
        assert eq.exact and eq.ok
        sent = {t: game.messages[eq.behaviour[h].index(1)] for t, h in game.sender_sets.items()}
        key = sent[game.types[0]] if len(set(sent.values())) == 1 else "separating"
        groups.setdefault(key, []).append(eq)
    return game, groups


def test_beer_quiche_structure():
    game = signalling_game(beer_quiche())
    assert game.sender == "sender" and game.receiver == "receiver"
    assert game.types == ("Strong", "Weak") and game.priors == (F(9, 10), F(1, 10))
    assert game.messages == ("Beer", "Quiche")
    assert game.responses == {"Beer": ("Duel", "Not"), "Quiche": ("Duel", "Not")}
    assert game.payoffs("Weak", "Quiche", "Not") == (3, 0)


def test_beer_pooling_passes_quiche_pooling_fails():
    tree = beer_quiche()
    game, groups = pooling_groups(tree)
    assert set(groups) == {"Beer", "Quiche"}
    for eq in groups["Beer"]:
        assert eq.payoffs[0] == F(29, 10)
        verdict = intuitive_criterion(game, eq.behaviour)
        assert verdict.passes and verdict.pbe.ok
        assert verdict.equilibrium_payoffs == {"Strong": 3, "Weak": 2}
        (test,) = verdict.tests
        assert test.message == "Quiche" and test.dominated == ("Strong",)
        assert test.deviators == ()
    for eq in groups["Quiche"]:
        assert eq.payoffs[0] == F(21, 10)
        verdict = intuitive_criterion(game, eq.behaviour)
        assert not verdict.passes and verdict.pbe.ok
        (test,) = verdict.tests
        assert test.message == "Beer" and test.dominated == ("Weak",)
        assert test.deviators == ("Strong",) and test.remaining_responses == ("Not",)
        assert "Beer" in verdict.reason and "Strong would deviate" in verdict.reason
        assert "Weak is equilibrium-dominated" in verdict.reason


def test_beer_quiche_beliefs():
    """Off the path the receiver Duels iff its belief on Weak is at least 1/2."""
    tree = beer_quiche()
    game, groups = pooling_groups(tree)
    quiche, beer = game.receiver_sets["Quiche"], game.receiver_sets["Beer"]
    weak_after = {m: game.node[("Weak", m)] for m in game.messages}
    for eq in groups["Beer"]:
        beliefs = bayes_beliefs(tree, eq.behaviour)
        assert beliefs[beer] == (F(9, 10), F(1, 10)) and beliefs[quiche] is None
        span = supporting_beliefs(tree, eq.behaviour, quiche).interval(weak_after["Quiche"])
        duels = eq.behaviour[quiche] == (1, 0)
        assert span == ((F(1, 2), F(1)) if duels else (F(1, 2), F(1, 2)))
        # the Strong node's interval is the complement
        strong = game.node[("Strong", "Quiche")]
        low, high = supporting_beliefs(tree, eq.behaviour, quiche).interval(strong)
        assert (low, high) == (1 - span[1], 1 - span[0])
    record = refinements(tree, groups["Quiche"][0].behaviour)
    json.dumps(record)
    assert record["perfect_bayesian"] is True
    assert record["beliefs"]["saw Quiche"] == {
        "message": "Quiche", "on_path": True, "belief": {"Strong": "9/10", "Weak": "1/10"}}
    after_beer = record["beliefs"]["saw Beer"]
    assert after_beer["on_path"] is False and after_beer["supported"] is True
    assert after_beer["interval"]["of"] == "Weak" and after_beer["interval"]["low"] == "1/2"
    assert record["intuitive_criterion"]["passes"] is False


def test_duelling_everywhere_is_not_sequentially_rational():
    """Duel after Beer is wrong at the 9/10 Strong belief, and then Weak prefers Quiche."""
    tree = beer_quiche()
    game = signalling_game(tree)
    choice = {game.sender_sets["Strong"]: "Beer", game.sender_sets["Weak"]: "Beer",
              game.receiver_sets["Beer"]: "Duel", game.receiver_sets["Quiche"]: "Duel"}
    behaviour = pure_behaviour(tree, choice)
    check = sequentially_rational(tree, behaviour, bayes_beliefs(tree, behaviour))
    assert not check.ok and set(check.failures) == {game.receiver_sets["Beer"],
                                                 game.sender_sets["Weak"]}


def job_market(prior_high=F(1, 4)):
    """Job-market signalling with education as the signal: a worker is High (prior 1/4) or Low; gets
    Educated (cost 4 for High, 7 for Low) or not; the firm, seeing only education, hires as
    Manager (wage 10) or Clerk (wage 4). Firm: Manager pays it 10 from High, 0 from Low;
    Clerk pays it 4 from either."""

    def firm(education, worker):
        cost = 0 if education == "Uneducated" else (4 if worker == "High" else 7)
        manager = 10 if worker == "High" else 0
        return ("decision", "firm", f"sees {education}", {
            "Manager": ("leaf", (F(10 - cost), F(manager))),
            "Clerk": ("leaf", (F(4 - cost), F(4))),
        })

    def worker(kind):
        return ("decision", "worker", kind, {e: firm(e, kind) for e in ("Educated",
                                                                        "Uneducated")})

    return nested_tree(("worker", "firm"), ("chance", {
        "High": (prior_high, worker("High")), "Low": (1 - prior_high, worker("Low"))}))


def test_job_market_separating_passes_pooling_fails():
    """By hand. The firm hires a Manager iff its belief on High is at least 2/5 (10q >= 4).
    Separating (High educated, Low not): Manager after Educated, Clerk after Uneducated;
    High gets 6 (> 4 from not studying), Low 4 (> 3 from studying); no message is off the
    path, so it passes. Pooling on Uneducated: the prior 1/4 < 2/5 gives Clerk, both types
    get 4; Educated is off the path and must not lure High (10s + 4(1-s) - 4 <= 4 for the
    Manager probability s <= 2/3), so the firm believes High with at most 2/5 (exactly 2/5
    when it mixes). Criterion: Educated gives Low at most 3 < 4 (dominated), High up to
    6 > 4 (not dominated); beliefs on High alone make Manager the only best response, and
    High gets 6 > 4: pooling fails, with High deviating. No pooling on Educated (Low would
    rather stay Clerk uneducated) nor a hybrid (indifference needs an impossible belief)."""
    tree = job_market()
    game, groups = pooling_groups(tree)
    assert set(groups) == {"separating", "Uneducated"}
    (sep,) = groups["separating"]
    verdict = intuitive_criterion(game, sep.behaviour)
    assert verdict.passes and verdict.pbe.ok and verdict.tests == ()
    assert verdict.equilibrium_payoffs == {"High": 6, "Low": 4}
    assert len(groups["Uneducated"]) == 2
    educated = game.receiver_sets["Educated"]
    for eq in groups["Uneducated"]:
        verdict = intuitive_criterion(game, eq.behaviour)
        assert not verdict.passes and verdict.pbe.ok
        assert verdict.equilibrium_payoffs == {"High": 4, "Low": 4}
        (test,) = verdict.tests
        assert test.dominated == ("Low",) and test.deviators == ("High",)
        assert test.most == {"High": 6, "Low": 3}
        span = supporting_beliefs(tree, eq.behaviour, educated).interval(
            game.node[("High", "Educated")])
        assert span == ((F(0), F(2, 5)) if eq.behaviour[educated] == (0, 1)
                        else (F(2, 5), F(2, 5)))
        assert eq.behaviour[educated] in ((0, 1), (F(2, 3), F(1, 3)))


def test_non_signalling_trees():
    assert signalling_game(kuhn_poker()) is None
    assert signalling_game(entry_game()) is None
    assert refinements(entry_game(), {0: (1, 0), 1: (1, 0)}) is None


def test_entry_deterrence_threat_is_not_a_weak_pbe():
    """(Out, Fight) is Nash, but Fight is optimal for no belief at the unreached set."""
    tree = entry_game()
    out_fight = {0: (1, 0), 1: (1, 0)}
    check = weak_pbe(tree, out_fight)
    assert not check.ok and check.beliefs == {0: (1,), 1: None}
    assert not check.rationality.supporting[1].supported
    assert weak_pbe(tree, {0: (0, 1), 1: (0, 1)}).ok


def test_exact_witness_agrees_with_lp():
    rng = random.Random(7)
    for _ in range(60):
        size = rng.randint(1, 4)
        rows = [tuple(F(rng.randint(-3, 3)) for _ in range(size))
                for _ in range(rng.randint(1, 4))]
        exact = witness_belief(rows, size)
        lp = _lp_witness(rows, size)
        assert (exact is None) == (lp is None)
        if exact is not None:
            assert sum(exact) == 1 and min(exact) >= 0
            assert all(sum(c * m for c, m in zip(r, exact)) >= 0 for r in rows)
