"""The benchmark's table: each figure beside its goal, and whether results were correct."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional


@dataclass
class Row:
    name: str
    value: float
    unit: str
    goal: Optional[float] = None
    higher_is_better: bool = True
    note: str = ""

    @property
    def met(self) -> Optional[bool]:
        if self.goal is None:
            return None
        return self.value >= self.goal if self.higher_is_better else self.value <= self.goal


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    checks: list[tuple[str, bool, str]] = field(default_factory=list)

    def add(self, name: str, value: float, unit: str, goal: Optional[float] = None,
            higher_is_better: bool = True, note: str = "") -> None:
        row = Row(name, value, unit, goal, higher_is_better, note)
        self.rows.append(row)
        print(f"  {self._line(row)}", flush=True)

    def check(self, name: str, ok: bool, detail: str = "") -> None:
        self.checks.append((name, ok, detail))
        print(f"  check {name}: {'ok' if ok else 'WRONG'} {detail}", flush=True)

    def all_correct(self) -> bool:
        return all(ok for _, ok, _ in self.checks)

    @staticmethod
    def _line(row: Row) -> str:
        goal = ""
        if row.goal is not None:
            sign = ">=" if row.higher_is_better else "<="
            goal = f"goal {sign} {row.goal:,.0f} {row.unit}" if row.goal >= 10 else f"goal {sign} {row.goal} {row.unit}"
        verdict = {True: "met", False: "MISSED", None: ""}[row.met]
        value = f"{row.value:,.0f}" if abs(row.value) >= 100 else f"{row.value:,.2f}"
        return f"{row.name:<46} {value:>12} {row.unit:<9} {goal:<26} {verdict:<6} {row.note}"

    def print(self) -> None:
        print("\n== eventdesk benchmark (design section 9) ==")
        for row in self.rows:
            print(self._line(row))
        for name, ok, detail in self.checks:
            print(f"{'correct' if ok else 'WRONG':<8} {name} {detail}")

    def as_json(self) -> dict[str, Any]:
        return {"rows": [{"name": r.name, "value": r.value, "unit": r.unit, "goal": r.goal,
                          "met": r.met, "note": r.note} for r in self.rows],
                "checks": [{"name": n, "ok": ok, "detail": d} for n, ok, d in self.checks]}
