"""Time full-size scenario generation; optionally check it and evaluate detection on it.

    python benchmarks/simulate.py                    # time `mixed` (six hours, ~400k events)
    python benchmarks/simulate.py --all --check      # every scenario, full-size acceptance checks
    python benchmarks/simulate.py --evaluate         # plus detect + report + plots (out/bench/)

Prints events, seconds and events/s per scenario. ``--check`` runs the same acceptance
checks as the test suite at full size (``expected.json`` ``full`` bounds) and the keyword-
separation check; ``--evaluate`` runs ``service.offline.detect_file`` and writes the
evaluation report and plots.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from simulations.acceptance import check_generated, expected  # noqa: E402
from simulations.evaluate import check_bounds, evaluate, read_verdicts  # noqa: E402
from simulations.generator import generate  # noqa: E402
from simulations.labels import read_labels  # noqa: E402
from simulations.realdata import summaries  # noqa: E402
from simulations.report import markdown, write_plots  # noqa: E402
from simulations.spec import load_scenario, scenario_names  # noqa: E402
from simulations.vocabulary import closest_calls, separating_words  # noqa: E402


def run(name: str, out: Path, gzip: bool, check: bool, do_evaluate: bool) -> bool:
    scenario = load_scenario(name)
    events = out / f"{name}.jsonl{'.gz' if gzip else ''}"
    started = time.perf_counter()
    result = generate(scenario, events)
    seconds = time.perf_counter() - started
    print(f"{name:8} {result.events:>9,} events {result.accounts:>6,} accounts "
          f"({result.attack_accounts:,} attack)  {seconds:6.1f} s  "
          f"{result.events / seconds:>9,.0f} events/s  -> {events}")  # fmt: skip
    ok = True
    labels = read_labels(result.labels_path) if result.labels_path else {}
    if check:
        for c in check_generated(scenario, events, labels, expected(name)["full"]):
            ok &= c.ok
            print(f"    {c}")
        found = separating_words(events, labels)
        ok &= not found
        print(
            f"    {'ok  ' if not found else 'FAIL'} keyword-separation: {found or 'none'}; "
            f"closest attack-only words {closest_calls(events, labels, 5)}"
        )
    if do_evaluate:
        from service.offline import detect_file

        verdicts = out / f"{name}.verdicts.jsonl"
        started = time.perf_counter()
        detect_file(events, verdicts)
        print(f"    detect: {time.perf_counter() - started:.1f} s")
        metrics = evaluate(events, labels, read_verdicts(verdicts))
        failures = check_bounds(metrics, expected(name)["detection"])
        plots = write_plots(metrics, out / f"{name}-plots")
        links = {k: str(p.relative_to(out)) for k, p in plots.items()}
        report = out / f"{name}-report.md"
        report.write_text(markdown(metrics, f"harvestguard evaluation: {name}", failures, links))
        print(f"    report {report}; detection bounds failed: {len(failures)}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="mixed", choices=scenario_names())
    parser.add_argument("--all", action="store_true", help="every scenario")
    parser.add_argument("--out", type=Path, default=REPO / "out" / "bench")
    parser.add_argument("--gzip", action="store_true", help="write .jsonl.gz")
    parser.add_argument("--check", action="store_true", help="full-size acceptance checks")
    parser.add_argument("--evaluate", action="store_true", help="detect, report and plots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    summaries()  # parse the real traces once, outside the timed part
    print(f"real-data summaries parsed in {time.perf_counter() - started:.2f} s")
    names = scenario_names() if args.all else [args.scenario]
    ok = all([run(n, args.out, args.gzip, args.check, args.evaluate) for n in names])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
