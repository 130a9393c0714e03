"""Campaigns that hide in numbers or in plain sight: hydra, slow_drip, chat_mimicry."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from . import arrivals, net, text_attack
from .clock import DAY, sample_times
from .ops import Run, account, emit, profile
from .rand import pick, wpick
from .shape import build
from .world import age_created, cloud_pool, home_pool, stream, user_id

Gen = np.random.Generator
# fmt: off
HYDRA_UAS = ("OpenAI/Python 2.8.1", "OpenAI/Python 2.6.0", "OpenAI/JS 6.2.0", "python-httpx/0.28.1",
             "python-requests/2.32.3", "axios/1.7.9", "aster-python/3.4.0", "OpenAI/Python 1.109.1")
PROXY_REGIONS = {"us_east": 5, "us_west": 3, "eu": 4, "uk": 2, "brazil": 1, "india": 1, "sea": 1}
# fmt: on


def _pick(rng: Gen, weights: Mapping[str, float]) -> str:
    return wpick(rng, weights)


def hydra(run: Run) -> None:
    """A farm of thin new accounts fed from one task queue.

    Accounts are opened in signup waves over the last weeks (a few replacements during
    the window) and paid with a small set of prepaid cards, some on free credits only.
    Each works one or two short stints of a few dozen requests, then goes quiet, so no
    account is big. Egress: rotating residential proxies (a new address every few
    minutes) or a shared pool of datacenter proxy addresses. One prompt skeleton, mutated
    per request; task ids come from the shared queue.
    """
    rng = stream(run.seed, "hydra")
    hours = (run.t1 - run.t0) / 3600
    n = run.count("hydra")
    cards = [run.ids.card() for _ in range(max(1, n * 45 // 300))]
    # a rented datacenter proxy pool: 250 addresses at five hosting providers
    dc: list[tuple[str, int | None]] = [
        (net.ipv4(rng, a), a) for a in (9009, 60068, 51167, 20473, 14061) for _ in range(50)
    ]
    waves = [run.t0 - d * DAY + rng.uniform(-3600, 3600) for d in (24, 19, 13, 9, 5, 2)]
    seq = int(rng.integers(10_000, 40_000))
    for _i in range(n):
        late = rng.random() < 0.1
        created = (
            rng.uniform(run.t0, run.t0 + 0.7 * (run.t1 - run.t0))
            if late
            else waves[int(rng.integers(len(waves)))] + rng.uniform(0, 3 * 3600)
        )
        card = None if rng.random() < 0.15 else cards[int(rng.integers(len(cards)))]
        residential = rng.random() < 0.6
        ips = [dc[int(rng.integers(len(dc)))] for _ in range(3)]
        acct = account(
            run,
            "hydra",
            created=created,
            card=card,
            ips=ips,
            uas=[HYDRA_UAS[int(rng.integers(len(HYDRA_UAS)))]],
            region="us_east",
        )
        r = stream(run.seed, "hydra", acct.account_id)
        prof = profile(acct, run, {"aster-2-pro": 0.5, "aster-r1": 0.3, "aster-2": 0.2})
        prof.adopt, prof.adopt_share = run.release + r.uniform(0, 3600), 0.3
        prof.err429 = 0.06  # new-account tier limits
        temp = pick(r, (0.7, 0.8))
        cap = pick(r, (3000, 4000))
        stints = 1 + int(r.random() < 0.12)
        for _ in range(stints):
            count = 1 + int(r.integers(20, 71) * min(1.0, hours / 6))
            pace = r.uniform(40, 150)  # seconds between requests of one account
            # the farm runs around the clock: a stint may have begun before the window
            lo = max(created + r.uniform(60, 1800), run.t0 - 0.8 * count * pace)
            start = lo + r.random() * max(0.0, run.t1 - 60 - lo)
            ts, ip, ip_until = start, ips[0], 0.0
            declined = r.random() < 0.05
            for k in range(count):
                if ts >= run.t1:
                    break
                if residential and ts >= ip_until:  # sticky proxy session expires
                    region = _pick(r, PROXY_REGIONS)
                    asn = net.asns("res", region)[int(r.integers(len(net.asns("res", region))))]
                    ip, ip_until = (net.home_address(r, asn, 0.1), asn), ts + r.uniform(120, 900)
                elif not residential and ts >= ip_until:
                    ip, ip_until = dc[int(r.integers(len(dc)))], ts + r.uniform(300, 1200)
                seq += int(r.integers(1, 40))
                system, text, hard = text_attack.hydra(r, seq)
                req = build(
                    r,
                    prof,
                    ts,
                    text=text,
                    system=system,
                    out=900,
                    sigma=0.5,
                    hard=hard,
                    messages=2 if system else 1,
                    params={"temperature": temp, "max_tokens": cap},
                )
                if declined and k >= count - 3:
                    req.status = 402  # prepaid card exhausted
                req.ip = ip
                emit(run, r, acct, ts, req)
                ts += pace * r.lognormal(0, 0.4)


def slow_drip(run: Run) -> None:
    """Human-paced grading and reasoning requests from old, individually paid accounts.

    Twenty accounts (bought or contractor-held, one to two and a half years old), each
    with its own card and a home connection in its own country. A few working sessions a
    day in local office hours, minutes between requests. Three versions of one grading
    rubric are shared across the accounts; the rest are reasoning questions.
    """
    rng = stream(run.seed, "slow_drip")
    regions = ("us_east", "uk", "eu", "india", "sea", "brazil", "us_west", "russia", "mena")
    for i in range(run.count("slow_drip")):
        region = regions[i % len(regions)]
        browser = rng.random() < 0.4  # some paste into a web tool, others run a script
        family = net.UA["browser"] if browser else net.UA["py"]
        uas = [family[int(rng.integers(len(family)))]]
        acct = account(
            run,
            "slow_drip",
            created=age_created(rng, 450, 0.5),
            card=run.ids.card(),
            ips=home_pool(rng, region, int(rng.integers(1, 3))),
            uas=uas,
            region=region,
        )
        r = stream(run.seed, "slow_drip", acct.account_id)
        prof = profile(acct, run, {"aster-2-pro": 0.6, "aster-r1": 0.4})
        if not browser:
            prof.max_tokens = 2048
        n = max(1, int(r.integers(15, 61) * (run.t1 - run.t0) / (6 * 3600)))
        for times in arrivals.sessions(r, n, run.t0, run.t1, "work", region, 14, 240, 0.6):
            for ts in times:
                if r.random() < 0.6:
                    system, text, hard = text_attack.grading(r, i % 3)
                else:
                    system, text, hard = text_attack.drip(r)
                req = build(
                    r,
                    prof,
                    float(ts),
                    text=text,
                    system=system,
                    out=700,
                    sigma=0.5,
                    hard=hard,
                    messages=1,
                )
                emit(run, r, acct, float(ts), req)


def chat_mimicry(run: Run) -> None:
    """A harvest dressed as two consumer chat apps.

    Each app has three accounts (production, beta, EU) on one card, backend egress from
    one cloud, a companion-style system prompt, streaming, end-user ids and session ids.
    The "users" are synthetic: a fixed pool used about evenly, conversations of two or
    three quick turns, no evening peak. Most turns are casual-sounding demands for
    detailed reasoning; about a quarter are small talk as cover.
    """
    rng = stream(run.seed, "chat_mimicry")
    apps = [
        (run.ids.card(), cloud_pool(rng, "us_east", 3, asn=16509), "OpenAI/JS 5.23.1"),
        (run.ids.card(), cloud_pool(rng, "sea", 3, asn=15169), "axios/1.7.9"),
    ]
    for i in range(run.count("chat_mimicry")):
        card, ips, ua = apps[i % 2]
        system = text_attack.MIMIC_APPS[i % 2][1]
        acct = account(
            run,
            "chat_mimicry",
            created=age_created(rng, 70, 0.3),
            card=card,
            ips=list(ips),
            uas=[ua],
            region="us_east",
            keys=1,
        )
        acct.end_users, acct.user_style = int(rng.integers(400, 800)), 1 + i % 2
        r = stream(run.seed, "chat_mimicry", acct.account_id)
        prof = profile(acct, run, {"aster-2": 0.5, "aster-2-pro": 0.3, "aster-r1-mini": 0.2})
        prof.stream, prof.temp, prof.max_tokens = 0.9, 0.7, 4096
        convs = int(600 * run.factor * (run.t1 - run.t0) / (6 * 3600)) + 1
        for start in sample_times(r, convs, run.t0, run.t1, "flat", "us_east"):
            uid = user_id(acct, int(r.integers(acct.end_users)))
            session = "sess_" + r.bytes(8).hex()
            ts = float(start)
            for turn in range(int(r.geometric(0.4))):
                text, hard, is_cover = text_attack.mimic(r, turn)
                req = build(
                    r,
                    prof,
                    ts,
                    text=text,
                    system=system,
                    out=60 if is_cover else 900,
                    sigma=0.6,
                    hard=hard,
                    extra_in=350 * turn,
                    messages=2 + 2 * turn,
                    user=uid,
                    session=session,
                )
                run.sink.emit(acct, ts, req)
                ts += (req.latency or 0.0) / 1000.0
                ts += r.lognormal(np.log(25), 0.5)
