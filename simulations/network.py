"""Who sends the requests: account ids, API keys, payment instruments, addresses and clients.

Addresses are drawn per scenario from /24 subnets of named network types, each tied to an
ASN: cloud egress for server-side apps, corporate NATs shared by unrelated customers,
residential ISPs, and proxy pools (many /24s across residential and hosting ASNs) for
hydra clusters. A subnet is never handed out twice unless it is meant to be shared.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import xxhash

# (ASN, first octets the ASN's /24s are drawn from). Illustrative, not a geolocation table.
CLOUD = (
    (16509, (3, 18, 34, 52, 54)),
    (15169, (34, 35)),
    (8075, (20, 40, 52)),
    (14061, (64, 138, 142, 159)),
    (24940, (65, 88, 95, 116)),
    (16276, (51, 54, 147)),
)
BUSINESS = (
    (3356, (4, 8, 63)),
    (701, (71, 108)),
    (2914, (61, 129)),
    (1299, (62, 80)),
    (6939, (64, 184, 216)),
    (3257, (77, 89)),
)
RESIDENTIAL = (
    (7922, (24, 73, 98)),
    (3320, (79, 84, 87)),
    (4134, (58, 115, 183)),
    (12389, (5, 78, 95)),
    (3215, (2, 90, 92)),
    (9121, (78, 88)),
    (45899, (14, 113)),
    (17676, (126, 219)),
    (4766, (121, 175)),
    (28573, (177, 179, 187)),
    (5089, (82, 86)),
    (7018, (12, 99, 107)),
)
HOSTING = (
    (9009, (37, 89, 185)),
    (60068, (185, 195)),
    (20473, (45, 66, 149)),
    (63949, (45, 139, 172)),
    (51167, (5, 161, 207)),
    (202425, (80, 94)),
)
NETWORKS = {"cloud": CLOUD, "business": BUSINESS, "residential": RESIDENTIAL,
            "hosting": HOSTING}  # fmt: skip

SDK_AGENTS = (
    "OpenAI/Python 1.54.4", "OpenAI/Python 1.57.0", "OpenAI/Python 1.59.7",
    "AsyncOpenAI/Python 1.58.1", "OpenAI/NodeJS 4.73.1", "OpenAI/NodeJS 4.77.0",
    "python-httpx/0.27.2", "python-requests/2.32.3", "axios/1.7.9", "Go-http-client/2.0",
    "okhttp/4.12.0", "litellm/1.55.2", "langchain-openai/0.2.14", "openai-dotnet/2.1.0",
    "Java-http-client/21.0.5", "curl/8.5.0",
)  # fmt: skip


def make_id(prefix: str, length: int, *parts: object) -> str:
    """A stable opaque id; nothing in it reveals the role that produced it."""
    digest = xxhash.xxh64_hexdigest(":".join(str(p) for p in parts).encode())
    if length > 16:
        digest += xxhash.xxh64_hexdigest(digest.encode())
    return f"{prefix}{digest[:length]}"


@dataclass(frozen=True)
class Subnet:
    prefix: str
    asn: int

    def address(self, rng: random.Random) -> str:
        return f"{self.prefix}.{rng.randint(2, 254)}"


@dataclass(frozen=True)
class ProxyPool:
    """Rotating egress: every request leaves from a random host of a random subnet."""

    subnets: tuple[Subnet, ...]

    def pick(self, rng: random.Random) -> tuple[str, int]:
        subnet = self.subnets[int(rng.random() * len(self.subnets))]
        return subnet.address(rng), subnet.asn


@dataclass
class Identity:
    account_id: str
    payment_fingerprint: str
    account_created: float
    api_keys: tuple[str, ...]
    addresses: tuple[tuple[str, int], ...]
    user_agents: tuple[str, ...]
    proxy: ProxyPool | None = None
    tags: dict[str, str] = field(default_factory=dict)

    def egress(self, rng: random.Random) -> tuple[str, int]:
        if self.proxy is not None:
            return self.proxy.pick(rng)
        return self.addresses[int(rng.random() * len(self.addresses))]


class Network:
    """Hands out unique subnets, ids and client strings for one scenario."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(seed ^ 0x5EED)
        self._used: set[str] = set()
        self._ids = 0
        self._hubs = [self.subnet("cloud") for _ in range(8)]

    def subnet(self, kind: str) -> Subnet:
        asn, octets = self.rng.choice(NETWORKS[kind])
        while True:
            b, c = self.rng.randint(0, 255), self.rng.randint(0, 255)
            prefix = f"{self.rng.choice(octets)}.{b}.{c}"
            if prefix not in self._used:
                self._used.add(prefix)
                return Subnet(prefix, asn)

    def addresses(self, kind: str, hosts: int, subnets: int = 1) -> tuple[tuple[str, int], ...]:
        nets = [self.subnet(kind) for _ in range(subnets)]
        return tuple(
            (nets[i % subnets].address(self.rng), nets[i % subnets].asn) for i in range(hosts)
        )

    def cloud_egress(self, hosts: int, shared_p: float) -> tuple[tuple[str, int], ...]:
        """Cloud egress; with ``shared_p`` from a busy shared /24 (a region's NAT gateways),
        which unrelated customers, honest or not, also leave from."""
        if self.rng.random() >= shared_p:
            return self.addresses("cloud", hosts)
        hub = self._hubs[int(self.rng.random() * len(self._hubs))]
        return tuple((hub.address(self.rng), hub.asn) for _ in range(hosts))

    def proxy_pool(self, subnets: int, hosting_share: float = 0.3) -> ProxyPool:
        kinds = ["hosting" if self.rng.random() < hosting_share else "residential"
                 for _ in range(subnets)]  # fmt: skip
        return ProxyPool(tuple(self.subnet(k) for k in kinds))

    def account_id(self) -> str:
        self._ids += 1
        return make_id("org_", 12, self.seed, "account", self._ids)

    def payment(self) -> str:
        self._ids += 1
        return make_id("pm_", 16, self.seed, "payment", self._ids)

    def api_keys(self, account_id: str, count: int) -> tuple[str, ...]:
        return tuple(make_id("key_", 10, self.seed, account_id, k) for k in range(count))

    def agents(self, count: int) -> tuple[str, ...]:
        return tuple(self.rng.sample(SDK_AGENTS, count))

    def benign_created(self, start: float, new_share: float) -> float:
        """Most customers are months or years old; a few signed up this week."""
        if self.rng.random() < new_share:
            days = self.rng.uniform(0.2, 7.0)
        else:
            days = min(2000.0, max(8.0, self.rng.lognormvariate(5.8, 0.9)))
        return round(start - days * 86_400.0, 3)
