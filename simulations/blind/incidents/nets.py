"""Network origins and client software: addresses, ASNs and user agents."""

from __future__ import annotations

import random

CLOUD = [16509, 14618, 15169, 396982, 8075, 24940, 16276, 14061, 63949, 45102]
RESIDENTIAL = [
    7922,
    701,
    3320,
    4134,
    4837,
    3215,
    2856,
    55836,
    3352,
    4766,
    4713,
    12389,
    9121,
    7018,
    5089,
    6830,
    1136,
    9808,
    17676,
    45090,
    28573,
    8151,
    20115,
    6327,
]
CORPORATE = [394089, 32934, 13335, 209242, 36459, 54113, 2914, 3356, 1299, 174]
UNIVERSITY = [2200, 786, 1103, 680, 2152, 3, 11537]

SDK = [
    "OpenAI/Python 1.54.0",
    "OpenAI/Python 1.51.2",
    "OpenAI/Python 1.40.6",
    "OpenAI/Python 1.57.4",
    "OpenAI/JS 4.67.3",
    "OpenAI/JS 4.73.0",
    "OpenAI/JS 4.52.7",
    "python-httpx/0.27.2",
    "python-requests/2.32.3",
    "python-requests/2.31.0",
    "aiohttp/3.9.5",
    "aiohttp/3.10.10",
    "Go-http-client/2.0",
    "Go-http-client/1.1",
    "okhttp/4.12.0",
    "axios/1.7.7",
    "node-fetch/2.7.0",
    "curl/8.5.0",
    "curl/7.81.0",
    "Java-http-client/17.0.9",
    "reqwest/0.12.8",
    "Dart/3.5 (dart:io)",
    "LiteLLM/1.52.0",
    "RestSharp/110.2.0.0",
    "Ruby",
    "PostmanRuntime/7.42.0",
    "undici",
]
BROWSER = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148",
]
AGENTS = [
    "Cursor/0.43.6",
    "continue-vscode/0.8.57",
    "aider/0.65.1",
    "Cline/3.0.2",
    "codex-cli/0.1.2",
    "OpenHands/0.14",
    "Zed/0.163.2",
    "JetBrains-AI/243.22562",
]


def ip_in(rng: random.Random, prefix: str | None = None) -> str:
    if prefix:
        return f"{prefix}.{rng.randint(2, 254)}"
    a = rng.choice(
        [
            3,
            13,
            18,
            23,
            31,
            34,
            35,
            45,
            52,
            62,
            77,
            81,
            89,
            91,
            101,
            103,
            104,
            110,
            112,
            115,
            118,
            120,
            128,
            136,
            141,
            146,
            151,
            159,
            170,
            175,
            180,
            185,
            188,
            193,
            194,
            195,
            203,
            210,
            211,
            213,
            217,
            220,
            222,
        ]
    )
    return f"{a}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(2, 254)}"


def ipv6(rng: random.Random) -> str:
    a, b, c = rng.getrandbits(16), rng.getrandbits(16), rng.getrandbits(16)
    return f"2a0{rng.randint(1, 9)}:{a:x}:{b:x}::{c:x}"


def prefix24(rng: random.Random) -> str:
    return ip_in(rng).rsplit(".", 1)[0]


def origin(rng: random.Random, kind: str) -> tuple[str, int]:
    pool = {"cloud": CLOUD, "res": RESIDENTIAL, "corp": CORPORATE, "uni": UNIVERSITY}[kind]
    addr = ipv6(rng) if kind == "res" and rng.random() < 0.12 else ip_in(rng)
    return addr, rng.choice(pool)


def origins(rng: random.Random, kind: str, n: int) -> list[tuple[str, int]]:
    return [origin(rng, kind) for _ in range(max(1, n))]


def sdk_ua(rng: random.Random, k: int = 1) -> list[str]:
    return [rng.choice(SDK) for _ in range(k)]
