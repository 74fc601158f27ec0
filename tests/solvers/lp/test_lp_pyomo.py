"""The Pyomo routes: the kernel model's bulk compile agrees with Pyomo's own writer and rows."""
from __future__ import annotations

import numpy as np
import pytest

from gamespec.solvers.lp.highs_instance import run_highs
from gamespec.solvers.lp.pyomo_lowering import (
    build_kernel_model,
    compile_kernel_model,
    through_pyomo,
)
from gamespec.solvers.lp.zero_sum_game import ConditionalGame, SideConstraint
from gamespec.solvers.lp.zero_sum_program import leader_lp
from gamespec.solvers.stackelberg.dobss import dobss_milp
from gamespec.stdlib.location import (
    euclidean_distance_matrix,
    hamming_distance_matrix,
    privacy_payoff,
    quality_weights,
    synthetic_city,
)


def _location_leader_lp(n: int = 7, qmax: float = 0.3):
    city = synthetic_city(n, seed=3)
    dq = hamming_distance_matrix(n)
    game = ConditionalGame(privacy_payoff(city.psi, euclidean_distance_matrix(city.centres)),
                           (SideConstraint("quality", quality_weights(city.psi, dq), "<=", qmax),))
    return leader_lp(game)


def _highs_on_pyomo_lp_file(model, tmp_path) -> float:
    import highspy

    path = str(tmp_path / "model.lp")
    model.write(path)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    assert h.readModel(path) == highspy.HighsStatus.kOk
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return float(h.getInfo().objective_function_value)


def test_pyomo_lp_writer_agrees_with_the_bulk_compile(tmp_path) -> None:
    lp = _location_leader_lp()
    plp = build_kernel_model(lp)
    ours = run_highs(compile_kernel_model(plp, lp)).objective
    assert ours > 0
    assert _highs_on_pyomo_lp_file(plp.model, tmp_path) == pytest.approx(ours, abs=1e-7)


def test_pyomo_lp_writer_agrees_on_a_milp(tmp_path) -> None:
    rng = np.random.default_rng(4)
    prior = np.array([0.6, 0.4])
    L, F = rng.normal(size=(2, 3, 3)), rng.normal(size=(2, 3, 3))
    milp = dobss_milp(prior, L, F)
    plp = build_kernel_model(milp)
    compiled = compile_kernel_model(plp, milp)
    np.testing.assert_array_equal(compiled.integrality, milp.integrality)
    ours = run_highs(compiled).objective
    assert _highs_on_pyomo_lp_file(plp.model, tmp_path) == pytest.approx(ours, abs=1e-7)


def test_rows_written_as_ordinary_constraints_compile_like_matrix_rows() -> None:
    import pyomo.kernel as pmo
    from pyomo.core.expr.numeric_expr import LinearExpression

    lp = _location_leader_lp()
    plp = build_kernel_model(lp)
    side = lp.row("side")
    row = lp.A.tocsr()[[side.start]]
    del plp.model.constraints.side
    body = LinearExpression(linear_coefs=row.data.tolist(),
                            linear_vars=[plp.columns[j] for j in row.indices.tolist()])
    plp.model.constraints.side_rows = pmo.constraint(body <= float(lp.row_upper[side.start]))
    back = compile_kernel_model(plp, lp)
    assert abs(back.A - lp.A).max() == 0
    np.testing.assert_array_equal(back.row_upper, lp.row_upper)
    np.testing.assert_array_equal(back.row_lower, lp.row_lower)


def test_a_model_that_lost_rows_is_refused() -> None:
    lp = _location_leader_lp()
    plp = build_kernel_model(lp)
    del plp.model.constraints.side
    with pytest.raises(ValueError, match="layout"):
        compile_kernel_model(plp, lp)


def test_unknown_pyomo_route_is_refused() -> None:
    with pytest.raises(ValueError, match="not a Pyomo route"):
        through_pyomo(_location_leader_lp(), "appsi")
