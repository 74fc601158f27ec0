"""Euler–Lagrange backend: exact derivations on known systems, numerics, certificates."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from gamespec.errors import SolverError, SpecError
from gamespec.solvers.dynamics.euler_lagrange import (
    check_variant,
    derive_equations,
    integrate,
    linear_normal_modes,
)

t = sp.Symbol("t")
m, k, g, ell = sp.symbols("m k g l", positive=True)
m_a, m_c = sp.symbols("m_a m_c", positive=True)
x = sp.Function("x")(t)
theta = sp.Function("theta")(t)
u_a = sp.Function("u_a")(t)
u_c = sp.Function("u_c")(t)


def oscillator() -> sp.Expr:
    return m * x.diff(t) ** 2 / 2 - k * x**2 / 2


def pendulum() -> sp.Expr:
    return m * ell**2 * theta.diff(t) ** 2 / 2 + m * g * ell * sp.cos(theta)


def coupled_masses() -> sp.Expr:
    """Kinetic minus potential: the usual Lagrangian of two masses and a spring."""
    return (m_a * u_a.diff(t) ** 2 / 2 + m_c * u_c.diff(t) ** 2 / 2
            - k * (u_a - u_c) ** 2 / 2)


# --------------------------------------------------------------------------- symbolic
def test_oscillator_equation_and_exact_frequency():
    eom = derive_equations(oscillator(), [x], t)
    assert sp.simplify(eom.accelerations[0] + k * x / m) == 0
    modes = linear_normal_modes(eom)
    assert modes.squared_frequencies == (k / m,)
    assert modes.mass == sp.Matrix([[m]]) and modes.stiffness == sp.Matrix([[k]])
    assert sp.simplify(eom.energy() - (m * x.diff(t) ** 2 / 2 + k * x**2 / 2)) == 0


def test_pendulum_is_nonlinear_and_has_no_modes():
    eom = derive_equations(pendulum(), [theta], t)
    assert sp.simplify(eom.accelerations[0] + g * sp.sin(theta) / ell) == 0
    with pytest.raises(SolverError, match="not linear"):
        linear_normal_modes(eom)


def test_coupled_masses_frequencies_and_free_mode():
    modes = linear_normal_modes(derive_equations(coupled_masses(), [u_a, u_c], t))
    omega2 = k * (m_a + m_c) / (m_a * m_c)
    found = list(modes.squared_frequencies)
    assert len(found) == 2
    zero = [w for w in found if sp.simplify(w) == 0]
    assert len(zero) == 1
    other = next(w for w in found if sp.simplify(w) != 0)
    assert sp.simplify(other - omega2) == 0
    free = modes.shapes[found.index(zero[0])]
    assert sp.simplify(free[0] - free[1]) == 0  # the free mode translates both equally
    assert modes.mass == sp.diag(m_a, m_c)
    assert modes.stiffness == sp.Matrix([[k, -k], [-k, k]])


def test_closed_form_satisfies_equations_and_initial_values():
    eom = derive_equations(coupled_masses(), [u_a, u_c], t)
    form = linear_normal_modes(eom).closed_form({u_a: (1, 0), u_c: (0, 0)})
    for coord, acc in zip(eom.coords, eom.accelerations):
        resid = sp.diff(form[coord], t, 2) - acc.subs(
            {u_a: form[u_a], u_c: form[u_c]})
        assert sp.simplify(resid) == 0
    assert sp.simplify(form[u_a].subs(t, 0) - 1) == 0
    assert sp.simplify(sp.diff(form[u_c], t).subs(t, 0)) == 0


def test_paper_variant_does_not_follow_from_its_lagrangian():
    paper_lagrangian = m_a * u_a.diff(t) ** 2 + m_c * u_c.diff(t) ** 2 + k * (u_a - u_c) ** 2 / 2
    claimed = [sp.Eq(m_a * u_a.diff(t, 2) + k * (u_a - u_c), 0),
               sp.Eq(m_c * u_c.diff(t, 2) + k * (u_a - u_c), 0)]
    report = check_variant(paper_lagrangian, claimed, [u_a, u_c], t)
    assert not report.follows
    # Euler–Lagrange of (13): 2 m_a u_a'' = +k (u_a - u_c): a factor 2 and the opposite sign
    assert sp.simplify(report.derived[0].rhs - k * (u_a - u_c) / (2 * m_a)) == 0
    assert sp.simplify(report.derived[1].rhs + k * (u_a - u_c) / (2 * m_c)) == 0
    assert report.momentum_conserved_derived
    assert not report.momentum_conserved_claimed
    assert sp.simplify(report.momentum_rate_claimed + 4 * k * (u_a - u_c)) == 0
    # (13) repels (omega^2 < 0); (14) oscillates only if m_c > m_a
    assert any(sp.simplify(w + k * (m_a + m_c) / (2 * m_a * m_c)) == 0
               for w in report.squared_frequencies_derived)
    assert any(sp.simplify(w - k * (m_c - m_a) / (m_a * m_c)) == 0
               for w in report.squared_frequencies_claimed)
    assert "do NOT follow" in report.summary()


def test_correct_equations_follow_from_the_usual_lagrangian():
    claimed = [sp.Eq(m_a * u_a.diff(t, 2), -k * (u_a - u_c)),
               sp.Eq(m_c * u_c.diff(t, 2), k * (u_a - u_c))]
    report = check_variant(coupled_masses(), claimed, [u_a, u_c], t)
    assert report.follows and report.momentum_conserved_claimed
    assert all(d == 0 for d in report.differences)


def test_bad_coordinates_and_terms_are_spec_errors():
    with pytest.raises(SpecError, match="not a function"):
        derive_equations(oscillator(), [sp.Function("x")(t, k)], t)
    with pytest.raises(SpecError, match="unexpected term"):
        derive_equations(x.diff(t, 2) ** 2, [x], t)


# --------------------------------------------------------------------------- numerics
def test_oscillator_numeric_matches_cosine_and_conserves_energy():
    eom = derive_equations(oscillator(), [x], t)
    traj = integrate(eom, None, None, {m: 2.0, k: 3.0}, {x: (1.0, 0.0)}, (0.0, 30.0))
    grid = np.linspace(0, 30, 301)
    q, v = traj.at(grid)
    omega = np.sqrt(3.0 / 2.0)
    assert np.max(np.abs(q[0] - np.cos(omega * grid))) < 1e-8
    assert np.max(np.abs(v[0] + omega * np.sin(omega * grid))) < 1e-8
    cert = traj.certificate
    assert cert.ok and cert.kind == "ode"
    assert cert.details["energy_drift"] < 1e-8
    assert cert.details["closed_form_deviation"] < 1e-8  # automatic modal solution
    assert cert.details["el_residual"] < 1e-6


def test_pendulum_energy_and_residual():
    eom = derive_equations(pendulum(), [theta], t)
    traj = integrate(eom, None, None, {m: 1.0, ell: 1.0, g: 9.81}, {"theta": (2.5, 0.0)},
                     (0.0, 20.0))
    cert = traj.certificate
    assert cert.ok
    assert cert.details["energy_drift"] < 1e-8
    assert cert.details["el_residual"] < 1e-6
    assert cert.details["closed_form_deviation"] is None
    # large amplitude: the period is longer than the small-angle 2 pi sqrt(l/g)
    crossings = traj.t[1:][np.diff(np.sign(traj.v[0])) != 0]
    assert np.min(np.diff(crossings)) * 2 > 2 * np.pi * np.sqrt(1 / 9.81) * 1.2


def test_coupled_masses_closed_form_agrees_with_numeric():
    eom = derive_equations(coupled_masses(), [u_a, u_c], t)
    initial = {u_a: (1.0, 0.5), u_c: (0.0, -0.2)}
    form = linear_normal_modes(eom).closed_form(initial)
    traj = integrate(eom, None, None, {m_a: 1.0, m_c: 3.0, k: 2.0}, initial, (0.0, 25.0),
                     closed_form=form)
    assert traj.certificate.ok
    assert traj.certificate.details["closed_form_deviation"] < 1e-8
    # total momentum m_a u_a' + m_c u_c' stays at its initial value 0.5 - 0.6
    assert np.max(np.abs(1.0 * traj.v[0] + 3.0 * traj.v[1] + 0.1)) < 1e-9


def test_wrong_closed_form_is_caught_by_the_certificate():
    eom = derive_equations(oscillator(), [x], t)
    wrong = {x: sp.cos(sp.sqrt(k / m) * t * 1.01)}
    traj = integrate(eom, None, None, {m: 1.0, k: 1.0}, {x: (1.0, 0.0)}, (0.0, 20.0),
                     closed_form=wrong)
    assert not traj.certificate.ok
    assert traj.certificate.details["closed_form_deviation"] > 1e-2


def test_integration_failures_are_solver_errors():
    eom = derive_equations(x.diff(t) ** 2 / 2 + x**4, [x], t)  # x'' = 4 x^3 blows up
    with pytest.raises(SolverError, match="integration|not finite"):
        integrate(eom, None, None, {}, {x: (1.0, 0.0)}, (0.0, 10.0))
    with pytest.raises(SolverError, match="step limit"):
        integrate(derive_equations(oscillator(), [x], t), None, None, {m: 1.0, k: 1.0},
                  {x: (1.0, 0.0)}, (0.0, 100.0), max_steps=5)
    with pytest.raises(SolverError, match="time limit"):
        integrate(derive_equations(oscillator(), [x], t), None, None, {m: 1.0, k: 1.0},
                  {x: (1.0, 0.0)}, (0.0, 100.0), time_limit=0.0)


def test_missing_parameter_and_degenerate_lagrangian():
    eom = derive_equations(oscillator(), [x], t)
    with pytest.raises(SpecError, match="no value for parameter"):
        integrate(eom, None, None, {m: 1.0}, {x: (1.0, 0.0)}, (0.0, 1.0))
    y = sp.Function("y")(t)
    degenerate = derive_equations(x.diff(t) * y - x * y, [x, y], t)
    assert degenerate.accelerations is None
    with pytest.raises(SolverError, match="second derivatives"):
        integrate(degenerate, None, None, {}, {x: (0, 0), y: (0, 0)}, (0.0, 1.0))


def test_plain_equations_can_be_integrated_without_a_lagrangian():
    eqs = [sp.Eq(x.diff(t, 2), -x)]
    traj = integrate(eqs, [x], t, {}, {x: (0.0, 1.0)}, (0.0, 10.0))
    assert traj.certificate.details["energy_drift"] is None
    q, _ = traj.at(np.array([np.pi / 2]))
    assert abs(q[0, 0] - 1.0) < 1e-8
