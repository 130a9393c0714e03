"""A flood of new accounts: how much memory the embedded pipeline holds per account.

    python benchmarks/flood.py [--accounts 1000000] [--max-accounts N] [--max-link-values N]

Sends one request from each of N distinct new accounts (each with its own API key
and payment method, a shared /24 per thousand accounts, a reasoning prompt every
tenth request) through the pipeline with the embedded stores, then prints the
process's peak resident memory, the accounts and link values held, and the bytes
per account. The embedded stores are bounded by TTL and by count
(``HARVESTGUARD_MAX_ACCOUNTS``, ``HARVESTGUARD_LINK_MAX_VALUES``): with the bounds
above the flood, this is what a day of new accounts costs before they expire; with
lower bounds, what the bound holds memory to.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from service.contract import RequestEvent  # noqa: E402
from service.features.observation import observe_events  # noqa: E402
from service.pipeline import Pipeline  # noqa: E402
from service.settings import Settings  # noqa: E402
from service.state.links import MemoryLinks  # noqa: E402
from service.state.memory import MemoryStore  # noqa: E402

T0 = 1_795_874_400.0


def _event(i: int) -> RequestEvent:
    return RequestEvent(
        event_id=f"f{i}",
        ts=T0 + i * 0.05,  # type: ignore[arg-type]
        account_id=f"org_flood_{i}",
        api_key_id=f"key_{i}",
        payment_fingerprint=f"pm_{i}",
        client_ip=f"10.{(i // 1000) % 256}.{i // 256000}.{i % 250 + 1}",
        user_agent="python-requests/2.32.3",
        asn=64500,
        account_created=T0 - 3600,  # type: ignore[arg-type]
        model="chat-large",
        prompt_tokens=120,
        completion_tokens=900,
        prompt="Think step by step." if i % 10 == 0 else f"question {i}",
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--max-accounts", type=int, help="the embedded store's bound")
    parser.add_argument("--max-link-values", type=int, help="the link store's bound")
    args = parser.parse_args()
    settings = Settings(_env_file=None)
    max_accounts = args.max_accounts or settings.max_accounts
    max_values = args.max_link_values or settings.link_max_values
    store = MemoryStore(settings.state_ttl_s, max_accounts)
    links = MemoryLinks(settings.link_max_members, settings.state_ttl_epochs, max_values)
    pipeline = Pipeline(store, settings, links=links, source="file")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    started = time.perf_counter()
    for start in range(0, args.accounts, args.batch):
        batch = observe_events([_event(i) for i in range(start, start + args.batch)])
        pipeline.commit(pipeline.process(batch))
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    per_account = (peak - before) / args.accounts
    print(f"accounts held        {len(store):,} (bound {max_accounts:,})")
    print(f"link values held     {len(links):,} (bound {max_values:,})")
    print(f"peak RSS             {peak / 2**30:.2f} GiB ({before / 2**20:.0f} MiB before)")
    print(f"per account          {per_account:,.0f} B")
    print(f"time                 {seconds:.1f} s ({args.accounts / seconds:,.0f} accounts/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
