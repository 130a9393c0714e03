"""Networks and clients: autonomous systems, addresses in them, and User-Agent strings.

The ASNs are real networks of the kind each customer would call from; the address
blocks are plausible for the network but invented, and never overlap, so an address
always maps to the same ASN as a real enrichment database would do.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

# asn -> (kind, regions, IPv4 /16 prefixes, IPv6 /32 prefix or "")
# fmt: off
ASNS: dict[int, tuple[str, tuple[str, ...], tuple[str, ...], str]] = {
    16509: ("cloud", ("us_east", "us_west", "eu", "japan", "india", "sea"),
            ("3.218", "18.204", "44.192", "52.14", "54.88"), "2600:1f18"),
    15169: ("cloud", ("us_east", "us_west", "eu", "sea"), ("34.72", "34.118", "35.186"), ""),
    396982: ("cloud", ("us_east", "eu", "japan"), ("34.145", "35.230"), "2600:1900"),
    8075: ("cloud", ("us_east", "us_west", "eu", "uk"), ("20.42", "20.119", "40.76"), ""),
    24940: ("cloud", ("eu",), ("5.9", "88.99", "116.202", "138.201"), "2a01:4f8"),
    16276: ("cloud", ("eu", "uk"), ("51.68", "51.75", "145.239"), ""),
    14061: ("cloud", ("us_east", "eu", "india", "sea"), ("134.209", "159.65", "164.92"), ""),
    20473: ("cloud", ("us_east", "us_west", "japan"), ("45.32", "66.42", "149.28"), ""),
    63949: ("cloud", ("us_east", "eu"), ("172.104", "139.162"), ""),
    31898: ("cloud", ("us_east", "brazil"), ("129.146", "150.136"), ""),
    51167: ("cloud", ("eu",), ("161.97", "194.163", "207.180"), ""),
    45102: ("cloud", ("china", "sea"), ("47.74", "47.88", "8.210", "47.236"), ""),
    132203: ("cloud", ("china", "sea"), ("43.128", "43.153", "129.226"), ""),
    55990: ("cloud", ("china", "sea"), ("121.36", "124.70"), ""),
    7922: ("res", ("us_east", "us_west"), ("73.12", "98.207", "24.60"), "2601:1c2"),
    7018: ("res", ("us_east", "us_west"), ("99.33", "107.77", "76.250"), "2600:1700"),
    701: ("res", ("us_east",), ("71.162", "108.28"), ""),
    20115: ("res", ("us_east", "us_west"), ("97.86", "66.190"), ""),
    812: ("res", ("us_east",), ("99.232", "174.112"), ""),
    3320: ("res", ("eu",), ("79.193", "87.147", "91.64"), "2003:e6"),
    3215: ("res", ("eu",), ("90.45", "86.246", "92.184"), "2a01:cb00"),
    12322: ("res", ("eu",), ("82.64", "88.160"), "2a01:e0a"),
    3352: ("res", ("eu",), ("80.31", "83.44"), ""),
    1136: ("res", ("eu",), ("77.160", "145.53"), ""),
    2856: ("res", ("uk",), ("81.151", "86.128"), ""),
    5089: ("res", ("uk",), ("82.11", "86.13"), ""),
    4134: ("res", ("china",), ("113.87", "116.230", "183.14"), ""),
    4837: ("res", ("china",), ("123.112", "221.218"), ""),
    4766: ("res", ("korea",), ("121.134", "175.193"), ""),
    2516: ("res", ("japan",), ("106.154", "111.98"), "2001:268"),
    4713: ("res", ("japan",), ("114.150", "153.151"), ""),
    55836: ("res", ("india",), ("49.36", "157.32"), "2409:40c0"),
    24560: ("res", ("india",), ("122.161", "106.206"), ""),
    28573: ("res", ("brazil",), ("177.35", "179.210"), ""),
    12389: ("res", ("russia",), ("95.24", "178.66"), ""),
    1221: ("res", ("aus",), ("101.161", "120.148"), ""),
    7552: ("res", ("sea",), ("27.72", "116.110"), ""),
    17974: ("res", ("sea",), ("36.72", "180.244"), ""),
    9121: ("res", ("mena",), ("78.186", "85.105"), ""),
    8452: ("res", ("mena",), ("41.33", "156.210"), ""),
    9009: ("vpn", ("eu", "us_east", "uk"), ("37.120", "89.44", "185.156"), ""),
    60068: ("vpn", ("eu", "us_east"), ("89.187", "143.244"), ""),
    13335: ("vpn", ("us_east", "eu", "india"), ("104.28",), "2a09:bac0"),
    53813: ("corp", ("us_east", "us_west", "eu", "uk"), ("165.225", "136.226"), ""),
    3: ("edu", ("us_east",), ("18.29",), ""),
    32: ("edu", ("us_west",), ("171.64",), ""),
    786: ("edu", ("uk",), ("131.111",), ""),
    680: ("edu", ("eu",), ("141.20", "129.187"), ""),
    4538: ("edu", ("china",), ("166.111", "202.120"), ""),
    2907: ("edu", ("japan",), ("133.11",), ""),
}
# fmt: on


def asns(kind: str, region: str | None = None) -> list[int]:
    """ASNs of one kind, preferring those that serve ``region``."""
    all_kind = [a for a, v in ASNS.items() if v[0] == kind]
    local = [a for a in all_kind if region in ASNS[a][1]]
    return local or all_kind


def ipv4(rng: np.random.Generator, asn: int, block: str | None = None) -> str:
    """An address of ``asn``; with ``block`` ("a.b.c") an address inside that /24."""
    if block is not None:
        return f"{block}.{int(rng.integers(2, 254))}"
    prefixes = ASNS[asn][2]
    pre = prefixes[int(rng.integers(len(prefixes)))]
    return f"{pre}.{int(rng.integers(0, 256))}.{int(rng.integers(1, 255))}"


def block24(rng: np.random.Generator, asn: int) -> str:
    return ipv4(rng, asn).rsplit(".", 1)[0]


def ipv6(rng: np.random.Generator, asn: int) -> str | None:
    pre = ASNS[asn][3]
    if not pre:
        return None
    groups = ":".join(f"{int(g):x}" for g in rng.integers(0, 65536, size=6))
    return f"{pre}:{groups}"


def home_address(rng: np.random.Generator, asn: int, v6_share: float = 0.25) -> str:
    """A residential address: IPv6 where the ISP has deployed it, else IPv4."""
    if rng.random() < v6_share:
        v6 = ipv6(rng, asn)
        if v6:
            return v6
    return ipv4(rng, asn)


# User agents by client family. Versions spread the way real fleets lag behind releases.
# fmt: off
UA: dict[str, tuple[str, ...]] = {
    "py": ("OpenAI/Python 2.8.1", "OpenAI/Python 2.6.0", "OpenAI/Python 2.3.2",
           "OpenAI/Python 1.109.1", "AsyncOpenAI/Python 2.8.1", "AsyncOpenAI/Python 2.5.0",
           "aster-python/3.4.0", "aster-python/3.1.2", "aster-python/2.9.7"),
    "node": ("OpenAI/JS 6.2.0", "OpenAI/JS 5.23.1", "aster-node/2.7.0", "aster-node/2.4.3"),
    "http": ("python-requests/2.32.3", "python-httpx/0.28.1", "axios/1.7.9", "axios/1.11.0",
             "Go-http-client/2.0", "Go-http-client/1.1", "okhttp/4.12.0", "Java-http-client/21.0.5",
             "Apache-HttpClient/5.3.1 (Java/17.0.12)", "reqwest/0.12.9", "Faraday v2.12.0",
             "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)", "undici"),
    "curl": ("curl/8.7.1", "curl/8.5.0", "curl/7.81.0", "PostmanRuntime/7.43.0",
             "insomnia/10.3.0", "HTTPie/3.2.4"),
    "browser": (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko)"
        " Chrome/142.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
        " Chrome/142.0.0.0 Safari/537.36 Edg/142.0.0.0",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:145.0) Gecko/20100101 Firefox/145.0",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)"
        " Version/26.1 Safari/605.1.15",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
        " Chrome/141.0.0.0 Safari/537.36"),
    "ide": ("Cursor/2.1.6", "Cursor/2.0.77", "continue/1.4.2", "aider/0.86.1", "Cline/3.34.0",
            "Zed/0.212.4", "JetBrains-AI/2025.3", "roo-code/3.30.1", "VSCode-Copilot-BYOK/1.9"),
    "automation": ("n8n", "Zapier", "Make/production", "langchain-aster/0.4.2",
                   "llama-index-llms-aster/0.5.1", "litellm/1.79.0"),
    "mobile": ("Dart/3.9 (dart:io)", "okhttp/4.12.0", "Alamofire/5.10.2", "CFNetwork/3860.100.1"),
}
# fmt: on


def ua_pool(rng: np.random.Generator, families: Mapping[str, float], size: int) -> list[str]:
    """``size`` User-Agents drawn from families weighted as given (one account's clients)."""
    names = sorted(families)
    weights = np.array([families[n] for n in names], dtype=float)
    weights /= weights.sum()
    out: list[str] = []
    for _ in range(size):
        fam = UA[names[int(rng.choice(len(names), p=weights))]]
        ua = fam[min(int(rng.geometric(0.45)) - 1, len(fam) - 1)]
        if ua not in out:
            out.append(ua)
    return out
