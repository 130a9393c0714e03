"""Where requests come from: address blocks by network type and region, and client software."""

from __future__ import annotations

from random import Random

# (asn, first octets, region) - residential and mobile access networks
RESIDENTIAL: list[tuple[int, str, str]] = [
    (7922, "73", "us"),
    (7922, "24", "us"),
    (20115, "71", "us"),
    (7018, "99", "us"),
    (701, "108", "us"),
    (22773, "68", "us"),
    (21928, "172.58", "us"),
    (5650, "47.144", "us"),
    (3320, "79", "eu"),
    (3320, "93", "eu"),
    (3215, "90", "eu"),
    (2856, "86", "eu"),
    (12322, "82", "eu"),
    (3352, "83", "eu"),
    (6830, "84", "eu"),
    (1136, "145", "eu"),
    (55836, "49", "in"),
    (24560, "122", "in"),
    (45899, "113", "vn"),
    (7552, "27", "vn"),
    (28573, "177", "br"),
    (26599, "189", "br"),
    (4766, "121", "kr"),
    (9318, "211", "kr"),
    (17676, "126", "jp"),
    (2516, "106", "jp"),
    (4134, "116", "cn"),
    (4837, "123", "cn"),
    (12389, "95", "ru"),
    (8359, "31", "ru"),
    (7713, "36", "id"),
    (8452, "41", "eg"),
    (9121, "78", "tr"),
    (8151, "189.1", "mx"),
    (7545, "101", "au"),
    (812, "99.22", "ca"),
]
# (asn, first octets, provider)
CLOUD: list[tuple[int, str, str]] = [
    (16509, "3", "aws"),
    (16509, "52", "aws"),
    (16509, "18", "aws"),
    (14618, "54", "aws"),
    (396982, "34", "gcp"),
    (15169, "35", "gcp"),
    (8075, "20", "azure"),
    (8075, "40", "azure"),
    (14061, "164.90", "do"),
    (14061, "137.184", "do"),
    (24940, "95.216", "hetzner"),
    (24940, "88.198", "hetzner"),
    (16276, "51.75", "ovh"),
    (20473, "45.32", "vultr"),
    (63949, "172.105", "linode"),
    (45102, "47.74", "alibaba"),
    (132203, "43.153", "tencent"),
    (13335, "104.28", "cloudflare"),
]
# business / campus networks that put a whole site behind one /24
OFFICE: list[tuple[int, str]] = [
    (3356, "4.14"),
    (174, "38.104"),
    (6461, "64.125"),
    (1299, "62.115"),
    (3257, "213.200"),
    (2914, "129.250"),
    (11537, "192.122"),
    (786, "128.232"),
    (680, "141.20"),
    (2152, "198.32"),
]
V6_PREFIX = {7922: "2601:", 3320: "2003:", 21928: "2607:fb90:", 17676: "240b:", 4766: "2001:e60:"}

SDK_PY = ["1.45.0", "1.47.1", "1.51.2", "1.52.0", "1.54.3", "1.55.0", "1.57.2", "1.58.1"]
SDK_JS = ["4.56.0", "4.67.3", "4.71.1", "4.73.0", "4.77.0"]
BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
]
RAW = [
    "python-requests/2.31.0",
    "python-requests/2.32.3",
    "python-httpx/0.27.2",
    "axios/1.7.7",
    "Go-http-client/1.1",
    "Go-http-client/2.0",
    "curl/8.5.0",
    "curl/7.81.0",
    "okhttp/4.12.0",
    "Java-http-client/21.0.4",
    "Apache-HttpClient/4.5.14 (Java/17.0.9)",
    "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)",
    "PostmanRuntime/7.42.0",
    "Dart/3.5 (dart:io)",
    "RestSharp/112.0.0.0",
    "aiohttp/3.10.10 Python/3.11",
]


def sdk_agent(rng: Random, kind: str = "py") -> str:
    if kind == "py":
        return f"OpenAI/Python {rng.choice(SDK_PY)}"
    if kind == "apy":
        return f"AsyncOpenAI/Python {rng.choice(SDK_PY)}"
    if kind == "js":
        return f"OpenAI/JS {rng.choice(SDK_JS)}"
    if kind == "browser":
        return rng.choice(BROWSERS)
    return rng.choice(RAW)


def agents_for(rng: Random, mix: dict[str, float], count: int = 1) -> list[str]:
    kinds = list(mix)
    weights = [mix[k] for k in kinds]
    return [sdk_agent(rng, rng.choices(kinds, weights)[0]) for _ in range(count)]


def _addr(rng: Random, octets: str) -> str:
    parts = octets.split(".")
    while len(parts) < 4:
        parts.append(str(rng.randint(1, 254)))
    return ".".join(parts)


def residential(rng: Random, region: str | None = None, v6: float = 0.15) -> tuple[str, int]:
    pool = [r for r in RESIDENTIAL if region is None or r[2] == region] or RESIDENTIAL
    asn, octets, _ = rng.choice(pool)
    if asn in V6_PREFIX and rng.random() < v6:
        groups = V6_PREFIX[asn].rstrip(":").split(":")
        groups += [f"{rng.getrandbits(16):x}" for _ in range(8 - len(groups))]
        return ":".join(groups), asn
    return _addr(rng, octets), asn


PROVIDERS = (
    "aws",
    "aws",
    "aws",
    "gcp",
    "gcp",
    "azure",
    "azure",
    "do",
    "hetzner",
    "ovh",
    "vultr",
    "linode",
    "alibaba",
    "tencent",
    "cloudflare",
)


def provider(rng: Random) -> tuple[str, ...]:
    """One hosting provider (as a filter for ``cloud``): a backend rarely spans several."""
    return (rng.choice(PROVIDERS),)


def cloud(rng: Random, providers: tuple[str, ...] = ()) -> tuple[str, int]:
    pool = [c for c in CLOUD if not providers or c[2] in providers] or CLOUD
    asn, octets, _ = rng.choice(pool)
    return _addr(rng, octets), asn


VPN: list[tuple[int, str]] = [
    (9009, "185.156"),
    (60068, "89.187"),
    (212238, "146.70"),
    (13335, "104.28"),
    (20473, "149.28"),
]


def vpn(rng: Random) -> tuple[str, int]:
    """A commercial VPN or privacy relay exit: honest people rotate through these too."""
    asn, octets = rng.choice(VPN)
    return _addr(rng, octets), asn


def office_block(rng: Random) -> tuple[str, int]:
    """A /24 behind which a site NATs its users: returns ('a.b.c', asn)."""
    asn, octets = rng.choice(OFFICE)
    parts = octets.split(".")
    while len(parts) < 3:
        parts.append(str(rng.randint(1, 254)))
    return ".".join(parts), asn


def in_block(rng: Random, block: tuple[str, int], hosts: int = 6) -> tuple[str, int]:
    prefix, asn = block
    return f"{prefix}.{rng.randint(2, 2 + hosts)}", asn


REGION_TZ: dict[str, list[float]] = {
    "us": [-5.0, -6.0, -8.0],
    "eu": [0.0, 1.0, 2.0],
    "in": [5.5],
    "vn": [7.0],
    "br": [-3.0],
    "kr": [9.0],
    "jp": [9.0],
    "cn": [8.0],
    "ru": [3.0],
    "id": [7.0],
    "eg": [2.0],
    "tr": [3.0],
    "mx": [-6.0],
    "au": [10.0],
    "ca": [-5.0],
}
REGION_WEIGHTS: dict[str, float] = {
    "us": 38,
    "eu": 24,
    "in": 7,
    "br": 4,
    "jp": 4,
    "kr": 3,
    "vn": 2,
    "cn": 2,
    "ru": 2,
    "id": 2,
    "eg": 1,
    "tr": 2,
    "mx": 2,
    "au": 3,
    "ca": 4,
}


def pick_region(rng: Random) -> str:
    regions = list(REGION_WEIGHTS)
    return rng.choices(regions, [REGION_WEIGHTS[r] for r in regions])[0]
