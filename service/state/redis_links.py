"""The link store in Redis: one hash per link value, updated by a script, any number of writers.

``hg:l:{payment:3fa9...}`` holds ``m:<account>`` (the member's last report),
``#n`` (members) and ``s0..sK`` (the sums). The script replaces a member's
report and moves each sum by the difference, atomically, so a report applied
twice changes nothing and reports from different workers commute. A batch's
reports go in one script call, which also reads the groups back. Models' first
appearance is a sorted set written with ``ZADD LT`` (the earliest time wins,
whoever writes first).

On a Redis Cluster a script may only touch keys of one slot, and each value's
hash is its own hash tag, so the batch's values are grouped by slot and the
script runs once per group, all groups in one pipeline (one round trip per
node, the nodes in parallel). Nothing is lost by that: each value's update was
already atomic on its own and reports commute, so groups may land in any order,
and a group applied twice (a retry after a failure) changes nothing.
``hg:models`` and ``hg:baseline`` are single keys and need nothing special.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

from service.state.base import StoreUnavailable
from service.state.links import PROFILE_FIELDS, Group, Report
from service.state.redis_client import (
    ERRORS,
    LazyCluster,
    Sentinels,
    SlotScript,
    connect,
    slot,
)

_FIELDS = len(PROFILE_FIELDS)
# KEYS: the values' hashes. ARGV: max members, ttl, then per key the number of its
# reports followed by (account, "v1,v2,...") pairs. Returns per key: #n, #common, sums.
_EXCHANGE = """
local limit, ttl, width = tonumber(ARGV[1]), tonumber(ARGV[2]), WIDTH
local read = {'#n', '#common'}
for j = 1, width do table.insert(read, 's' .. (j - 1)) end
local at, out = 3, {}
for k, key in ipairs(KEYS) do
  local reports = tonumber(ARGV[at])
  at = at + 1
  local common = redis.call('HEXISTS', key, '#common') == 1
  for i = at, at + 2 * reports - 1, 2 do
    if common then break end
    local field = 'm:' .. ARGV[i]
    local old = redis.call('HGET', key, field)
    if not old and redis.call('HINCRBY', key, '#n', 1) > limit then
      local drop = {}
      for _, name in ipairs(redis.call('HKEYS', key)) do
        if string.sub(name, 1, 2) == 'm:' then table.insert(drop, name) end
      end
      for j = 1, #drop, 500 do
        redis.call('HDEL', key, unpack(drop, j, math.min(j + 499, #drop)))
      end
      redis.call('HSET', key, '#common', 1)
      common = true
    else
      redis.call('HSET', key, field, ARGV[i + 1])
      local new_values, old_values = {}, {}
      for v in string.gmatch(ARGV[i + 1], '[^,]+') do table.insert(new_values, tonumber(v)) end
      if old then
        for v in string.gmatch(old, '[^,]+') do table.insert(old_values, tonumber(v)) end
      end
      for j = 1, width do
        local delta = new_values[j] - (old_values[j] or 0)
        if delta ~= 0 then redis.call('HINCRBYFLOAT', key, 's' .. (j - 1), delta) end
      end
    end
  end
  at = at + 2 * reports
  redis.call('EXPIRE', key, ttl)
  out[k] = redis.call('HMGET', key, unpack(read))
end
return out
""".replace("WIDTH", str(_FIELDS))
_READ = ("#n", "#common", *(f"s{i}" for i in range(_FIELDS)))


def _group(value: str, raw: list[bytes | None]) -> Group | None:
    if raw[0] is None:
        return None
    sums = tuple(float(v) if v is not None else 0.0 for v in raw[2:])
    return Group(value, int(raw[0]), raw[1] is not None, sums)


class RedisLinks:
    def __init__(
        self,
        url: str,
        prefix: str = "hg",
        max_members: int = 256,
        ttl_s: int = 26 * 3600,
        cluster: bool = False,
        sentinel: Sentinels | None = None,
    ) -> None:
        self.url = url
        self.cluster = cluster
        self.prefix = prefix
        self.max_members = max_members
        self.ttl_s = ttl_s
        self.client = connect(url, cluster, sentinel=sentinel)
        client = self.client
        if isinstance(client, LazyCluster):
            self._by_slot: SlotScript | None = SlotScript(client, _EXCHANGE)
        else:
            self._by_slot = None
            self._exchange = client.register_script(_EXCHANGE)

    def key(self, value: str) -> str:
        return f"{self.prefix}:l:{{{value}}}"

    def _models_key(self) -> str:
        return f"{self.prefix}:models"

    def exchange(self, reports: Mapping[str, Report], now: float) -> dict[str, Group]:
        by_value: dict[str, list[str]] = {}
        for account, (values, profile) in reports.items():
            encoded = ",".join(repr(float(v)) for v in profile)
            for value in values:
                by_value.setdefault(value, []).extend((account, encoded))
        if not by_value:
            return {}
        if self._by_slot is None:
            # One script call for the batch: one round trip, one atomic step.
            calls = [list(by_value)]
        else:
            slots: dict[int, list[str]] = {}
            for value in by_value:
                slots.setdefault(slot(self.key(value)), []).append(value)
            calls = list(slots.values())
        scripts = []
        for group_values in calls:
            args: list[str | int] = [self.max_members, self.ttl_s]
            for value in group_values:
                pairs = by_value[value]
                args.append(len(pairs) // 2)
                args += pairs
            scripts.append(([self.key(v) for v in group_values], args))
        try:
            if self._by_slot is None:
                keys, args = scripts[0]
                replies = [self._exchange(keys=keys, args=args)]
            else:
                replies = self._by_slot.run(scripts)
        except ERRORS as error:
            raise StoreUnavailable(f"redis: {error}") from error
        found = {}
        for group_values, reply in zip(calls, replies, strict=True):
            for value, raw in zip(group_values, reply, strict=True):
                group = _group(value, cast(list[bytes | None], raw))
                if group is not None:
                    found[value] = group
        return found

    def groups(self, values: Iterable[str]) -> dict[str, Group]:
        wanted = list(values)
        pipe = self.client.pipeline(transaction=False)
        for value in wanted:
            pipe.hmget(self.key(value), _READ)
        found = {}
        for value, raw in zip(wanted, self._run(pipe), strict=True):
            group = _group(value, cast(list[bytes | None], raw))
            if group is not None:
                found[value] = group
        return found

    def members(self, value: str, limit: int = 50) -> list[str]:
        """Accounts behind a value (at most ``limit``; none once it is common)."""
        try:
            names = cast(list[bytes], self.client.hkeys(self.key(value)))
        except ERRORS as error:
            raise StoreUnavailable(f"redis: {error}") from error
        found = sorted(n.decode()[2:] for n in names if n.startswith(b"m:"))
        return found[:limit]

    def first_seen(self, models: Mapping[str, float]) -> dict[str, float]:
        pipe = self.client.pipeline(transaction=False)
        if models:
            pipe.zadd(self._models_key(), dict(models), lt=True)
            pipe.expire(self._models_key(), 30 * 86400)
        pipe.zrange(self._models_key(), 0, -1, withscores=True)
        known = cast(list[tuple[bytes, float]], self._run(pipe)[-1])
        return {name.decode(): score for name, score in known}

    def publish_baseline(self, snapshot: bytes) -> None:
        try:
            self.client.set(f"{self.prefix}:baseline", snapshot, ex=self.ttl_s)
        except ERRORS as error:
            raise StoreUnavailable(f"redis: {error}") from error

    def baseline(self) -> bytes | None:
        try:
            return cast(bytes | None, self.client.get(f"{self.prefix}:baseline"))
        except ERRORS as error:
            raise StoreUnavailable(f"redis: {error}") from error

    def _run(self, pipe: Any) -> list[Any]:
        try:
            return cast(list[Any], pipe.execute())
        except ERRORS as error:
            raise StoreUnavailable(f"redis: {error}") from error

    def expire(self, now: float) -> int:
        return 0  # every key carries a TTL, renewed by each report

    def close(self) -> None:
        self.client.close()
