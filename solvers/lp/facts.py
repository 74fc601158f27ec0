"""The lines a reader sees beside an LP answer (`Result.extra["facts"]`)."""
from __future__ import annotations


def lp_facts(lp: dict) -> list[list[str]]:
    """The lines a reader sees beside the answer (`Result.extra["facts"]`): both LP values
    with their gap, and each side constraint's level, bound and shadow price."""
    def num(value) -> str:
        return f"{value:.6g}" if isinstance(value, float) else str(value)

    follower = lp.get("follower_lp_value")
    values = f"leader's LP {num(lp['leader_lp_value'])}" if lp.get(
        "leader_lp_value") is not None else "leader's LP not solved"
    values += f", follower's LP {num(follower)}" if follower is not None else ""
    if lp.get("duality_gap") is not None:
        values += f" (duality gap {num(lp['duality_gap'])})"
    facts = [["lp", values]]
    bounds = lp.get("constraint_bounds", {})
    for name, price in lp.get("shadow_prices", {}).items():
        level = lp.get("constraint_lhs", {}).get(name)
        bound = bounds.get(name)
        where = (f"{num(level)} {bound['sense']} {num(bound['bound'])}, "
                 if level is not None and bound else "")
        facts.append([f"constraint {name}", f"{where}shadow price {num(price)}"])
    return facts
