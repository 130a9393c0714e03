"""The evaluation report: a Markdown summary and three PNG plots.

Plots: ``scores.png`` (score distributions, benign and attack), ``delay_cdf.png`` (share of
each campaign's accounts flagged after N of their events, and after T minutes), and
``rates.png`` (recall per campaign, false-positive rate per benign persona).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # after use(): no display needed
import numpy as np
from matplotlib.ticker import FuncFormatter, MaxNLocator

from simulations.evaluate import Metrics

RECALL_TARGET = 0.9
FPR_TARGET = 0.005


def _f(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _drivers(counts: Counter[str]) -> str:
    return ", ".join(f"{family} {n}" for family, n in counts.most_common())


def _minutes(seconds: list[float]) -> str:
    return f"{float(np.median(seconds)) / 60:.1f} min" if seconds else "n/a"


def markdown(
    m: Metrics,
    title: str = "harvestguard evaluation",
    failures: list[str] | None = None,
    plots: dict[str, str] | None = None,
) -> str:
    attack = m.tp + m.fn
    benign = m.fp + m.tn
    lines = [
        f"# {title}",
        "",
        f"Accounts: {attack + benign} ({attack} attack, {benign} benign); flagged: "
        f"{m.tp + m.fp}. Invalid event lines: {m.invalid_lines}. Flagged accounts missing "
        f"from the labels: {m.unlabelled_flagged}.",
        "",
        "## Account level",
        "",
        "| metric | value |",
        "|---|---|",
        f"| precision | {_f(m.precision)} |",
        f"| recall | {_f(m.recall)} |",
        f"| F1 | {_f(m.f1)} |",
        f"| true / false positives | {m.tp} / {m.fp} |",
        f"| false negatives / true negatives | {m.fn} / {m.tn} |",
        f"| benign false-positive rate | {_f(m.benign_fpr, 4)} |",
        f"| heavy accounts (top 10 % by events) | {m.heavy_accounts} ({m.heavy_benign} benign) |",
        f"| heavy benign flagged / throttled or blocked | {m.heavy_benign_flagged} / "
        f"{m.heavy_benign_enforced} |",
        f"| false-positive rate on heavy accounts | {_f(m.heavy_fpr, 4)} |",
        "",
        "## Campaigns",
        "",
        "| campaign | type | accounts | flagged | recall | median events before flag "
        "| median time to flag | leaked tokens | median score | families that drove its flags |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for c in m.campaigns:
        lines.append(
            f"| {c.campaign} | {c.type} | {c.accounts} | {c.flagged} | {_f(c.recall)} | "
            f"{_f(c.median_events_before_flag, 1)} | {_minutes(c.delays_s)} | "
            f"{_f(c.leaked_share)} | {_f(c.median_score)} | {_drivers(c.drivers)} |"
        )
    lines += [
        "",
        "Leaked tokens: share of the campaign's completion tokens served up to and including "
        "each account's flagging event (all of them for accounts never flagged). Scores "
        "(with a scores file, as `evaluate --detect` has): each account's highest, against "
        "the review threshold; the median account's per campaign, the highest per persona. "
        "Families: how many flagged accounts each evidence family drove (a verdict may name "
        "several).",
        "",
        "## Benign personas",
        "",
        "| persona | accounts | flagged | false-positive rate | highest score "
        "| families that drove its flags |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for p in m.personas:
        lines.append(
            f"| {p.persona} | {p.accounts} | {p.flagged} | {_f(p.fpr, 4)} | {_f(p.top_score)} "
            f"| {_drivers(p.drivers)} |"
        )
    if m.actions:
        lines += ["", "## Actions reached", "", "| action | accounts |", "|---|---:|"]
        lines += [f"| {a} | {n} |" for a, n in sorted(m.actions.items())]
    if failures is not None:
        lines += ["", "## Expected bounds", ""]
        lines += [f"- FAIL {f}" for f in failures] or ["- all bounds met"]
    if plots:
        lines += ["", "## Plots", ""]
        lines += [f"![{name}]({path})" for name, path in plots.items()]
    return "\n".join(lines) + "\n"


def scores_title(m: Metrics) -> str:
    """What the score plot shows. Without a scores file only flagged accounts have a score:
    say so, rather than promise a benign distribution an accurate detector leaves empty."""
    shown = (
        "benign vs attack" if m.benign_scores and m.attack_scores
        else "attack accounts only: no benign account has a score" if m.attack_scores
        else "benign accounts only: no attack account has a score" if m.benign_scores
        else "no account has a score"
    )  # fmt: skip
    return f"Score distributions, {shown}\n{m.scores_source}"


def plot_scores(m: Metrics, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    most = 0
    for scores, name, colour in ((m.benign_scores, "benign", "tab:blue"),
                                 (m.attack_scores, "attack", "tab:red")):  # fmt: skip
        if scores:
            counts, _, _ = ax.hist(np.clip(scores, 0, 1), bins=40, range=(0.0, 1.0), alpha=0.6,
                                   color=colour, label=f"{name} (n={len(scores)})")  # fmt: skip
            most = max(most, int(np.max(counts)))
    if most == 0:
        ax.text(0.5, 0.5, "no scores: nothing was flagged", ha="center", va="center",
                transform=ax.transAxes)  # fmt: skip
    else:
        ax.legend()
    if most > 100:
        # Thousands of benign accounts next to a few hundred attackers: counts need a log axis.
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{y:g}"))
        ax.set_ylabel("accounts (log scale)")
    else:
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel("accounts")
    ax.set_xlim(0, 1)
    ax.set_xlabel("risk score")
    ax.set_title(scores_title(m), fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _two_and_five(x: float, _: object) -> str:
    """Label 2 and 5 times powers of ten on a log axis, so short ranges still read."""
    lead = x / 10 ** np.floor(np.log10(x)) if x > 0 else 0.0
    return f"{x:g}" if round(lead) in (2, 5) else ""


def plot_delays(m: Metrics, path: Path) -> None:
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5.2), sharey=True)
    colours = plt.get_cmap("tab10")
    for i, c in enumerate(m.campaigns):
        colour = colours(i % 10)
        label = f"{c.campaign} ({c.type}, recall {c.recall:.2f})"
        for ax, values in ((left, sorted(c.events_before_flag)),
                           (right, sorted(d / 60.0 for d in c.delays_s))):  # fmt: skip
            if values and c.accounts:
                ys = np.arange(1, len(values) + 1) / c.accounts
                ax.step([values[0], *values], [0.0, *ys], where="post", color=colour,
                        label=label, linewidth=1.8)  # fmt: skip
            else:
                ax.plot([], [], color=colour, label=f"{c.campaign} ({c.type}, never flagged)")
    left.set_xscale("log")
    left.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}"))
    left.xaxis.set_minor_formatter(FuncFormatter(_two_and_five))
    left.set_xlabel("account's events before its first flag (log scale)")
    right.set_xlabel("minutes from the account's first request to its first flag")
    left.set_ylabel("share of the campaign's accounts flagged")
    for ax in (left, right):
        ax.set_ylim(0, 1.02)
        ax.axhline(RECALL_TARGET, color="grey", linestyle=":", linewidth=1)
        ax.grid(alpha=0.3)
    handles, labels = left.get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=8, frameon=False)
    fig.suptitle("Detection delay per campaign (CDF; each curve ends at the campaign's recall)")
    fig.tight_layout(rect=(0, 0.14, 1, 1))
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_rates(m: Metrics, path: Path) -> None:
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8))
    names = [c.campaign for c in m.campaigns]
    recalls = [c.recall for c in m.campaigns]
    bars = left.barh(names, recalls, color=["tab:green" if r >= RECALL_TARGET else "tab:orange"
                                            for r in recalls])  # fmt: skip
    left.bar_label(bars, fmt="%.2f", padding=3, fontsize=8)
    left.axvline(RECALL_TARGET, color="grey", linestyle="--", linewidth=1)
    left.set_xlim(0, 1.12)
    left.set_xlabel("recall (accounts flagged / campaign accounts)")
    left.set_title(f"Recall per campaign (dashed: target {RECALL_TARGET})")
    left.invert_yaxis()
    p_names = [p.persona for p in m.personas] + ["all benign", "heavy benign"]
    fprs = [p.fpr for p in m.personas] + [m.benign_fpr or 0.0, m.heavy_fpr or 0.0]
    bars = right.barh(
        p_names, fprs, color=["tab:red" if f > FPR_TARGET else "tab:blue" for f in fprs]
    )
    right.bar_label(bars, fmt="%.3f", padding=3, fontsize=8)
    right.axvline(FPR_TARGET, color="grey", linestyle="--", linewidth=1)
    right.set_xlim(0, max(0.02, max(fprs, default=0.0) * 1.2))
    right.set_xlabel("false-positive rate (flagged / accounts)")
    right.set_title(f"False positives per benign persona (dashed: target {FPR_TARGET})")
    right.invert_yaxis()
    for ax in (left, right):
        ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def write_plots(m: Metrics, directory: Path) -> dict[str, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = {
        "scores": directory / "scores.png",
        "delay_cdf": directory / "delay_cdf.png",
        "rates": directory / "rates.png",
    }
    plot_scores(m, paths["scores"])
    plot_delays(m, paths["delay_cdf"])
    plot_rates(m, paths["rates"])
    return paths
