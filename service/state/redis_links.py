"""The cross-account store in Redis: epoch-stamped contributions, folded in by scripts.

Per link value, keys sharing the value's hash tag (one slot on a cluster):

- ``hg:l:{payment:3fa9...}``: a hash with ``#n`` (members), ``#common``, the sums
  ``s0..sK`` (integers: fixed point), each member's report ``m:<account>``
  (``epoch|v0,v1,...``) and pending reports ``p:<epoch>:<account>``;
- ``...:p`` a sorted set of pending reports by epoch, ``...:x`` members by the epoch
  of their report (for expiry).

A contribution only ever adds pending entries (the same one written twice is
the same entry). A read as of epoch ``e`` first folds, in epoch order, every
pending entry up to ``e`` (a report replaces its member's previous one, the sums
move by the difference; one older than the member's is stale) and expires
members whose report is ``ttl`` epochs old, all in one script per slot. The
baseline's samples work the same way under ``hg:base`` (pending per account and
epoch, folded into histogram counts, each account's newest folded epoch kept so
that a sample written again is not counted twice; what each fold added is kept for
``CHANGES_KEPT`` epochs, so that a worker holding the baseline as of the epoch before reads the
few cells that changed, not the whole histogram), and
models' first sightings are a sorted set written with ``ZADD LT``. Any number of
workers may write and read; the watermark (service/watermark.py) makes sure
nobody reads an epoch before every partition's contributions to it are in.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from detectors.groups import EMPTY_PROFILE, PROFILE_FIELDS, Group
from service.state.base import StoreUnavailable
from service.state.links import (
    CHANGES_KEPT,
    LATEST,
    Contribution,
    Histograms,
    dequantise,
    quantise,
)
from service.state.redis_client import (
    ERRORS,
    LazyCluster,
    Sentinels,
    SlotScript,
    connect,
    slot,
)

_WIDTH = len(PROFILE_FIELDS)
_REFRESH_S = 3600  # a value's keys get their expiry set again once an hour of event time
_REFRESHES_KEPT = 1_000_000  # values whose expiry a worker remembers setting
# KEYS: per value, its hash, pending set and expiry set. ARGV: as_of, ttl (epochs),
# max members. Returns per value: {#n, #common, s0..sK}.
_FOLD = """
local as_of, ttl, limit, width = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), WIDTH
local function parse(text)
  local values = {}
  for v in string.gmatch(text, '[^,]+') do table.insert(values, tonumber(v)) end
  return values
end
local function move(key, new, old)
  for j = 1, width do
    local delta = (new and new[j] or 0) - (old and old[j] or 0)
    if delta ~= 0 then redis.call('HINCRBY', key, 's' .. (j - 1), delta) end
  end
end
local out = {}
for k = 1, #KEYS, 3 do
  local key, pending, expiring = KEYS[k], KEYS[k + 1], KEYS[k + 2]
  for _, entry in ipairs(redis.call('ZRANGEBYSCORE', pending, '-inf', as_of)) do
    local field = 'p:' .. entry
    local report = redis.call('HGET', key, field)
    local epoch, account = string.match(entry, '^(%-?%d+):(.*)$')
    local member = 'm:' .. account
    local old = redis.call('HGET', key, member)
    -- A report older than the member's (written again by a retried batch) is stale.
    if old and tonumber(epoch) < tonumber(string.match(old, '^(%-?%d+)|')) then report = nil end
    if report and redis.call('HEXISTS', key, '#common') == 0 then
      local old_values = nil
      if old then
        old_values = parse(string.match(old, '|(.*)$'))
      elseif redis.call('HINCRBY', key, '#n', 1) > limit then
        for _, name in ipairs(redis.call('HKEYS', key)) do
          if string.sub(name, 1, 2) == 'm:' or string.sub(name, 1, 1) == 's' then
            redis.call('HDEL', key, name)
          end
        end
        redis.call('HSET', key, '#common', 1)
        redis.call('DEL', expiring)
      end
      if redis.call('HEXISTS', key, '#common') == 0 then
        redis.call('HSET', key, member, epoch .. '|' .. report)
        redis.call('ZADD', expiring, epoch, account)
        move(key, parse(report), old_values)
      end
    end
    redis.call('HDEL', key, field)
  end
  redis.call('ZREMRANGEBYSCORE', pending, '-inf', as_of)
  for _, account in ipairs(redis.call('ZRANGEBYSCORE', expiring, '-inf', as_of - ttl)) do
    local member = 'm:' .. account
    local old = redis.call('HGET', key, member)
    if old then
      move(key, nil, parse(string.match(old, '|(.*)$')))
      redis.call('HDEL', key, member)
      redis.call('HINCRBY', key, '#n', -1)
    end
  end
  redis.call('ZREMRANGEBYSCORE', expiring, '-inf', as_of - ttl)
  local read = {'#n', '#common'}
  for j = 1, width do table.insert(read, 's' .. (j - 1)) end
  table.insert(out, redis.call('HMGET', key, unpack(read)))
end
return out
""".replace("WIDTH", str(_WIDTH))
# KEYS: the histogram hash, the pending hash, its index, each account's newest folded
# sample (a sorted set by epoch), the changes each fold made (a sorted set by the epoch
# read as of), a hash with the newest epoch read as of (v), the epoch after which all
# changes are kept (from) and a sequence (n), and the cells of each account's latest sample
# counted (a hash: a latest sample replaces them, ``links.LATEST``). ARGV: as_of, how many
# epochs samples are remembered, the epoch the reader holds ('': none), how many epochs
# changes are kept.
# Returns {1, as_of, changes...} when the kept changes cover the reader's, else
# {0, newest epoch read as of, the whole histogram as field, count, ...}.
_FOLD_SAMPLES = """
local as_of, keep, since, kept = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]),
  tonumber(ARGV[4])
local changed = {}
for _, entry in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', as_of)) do
  local cells = redis.call('HGET', KEYS[2], entry)
  local epoch, account = string.match(entry, '^(%-?%d+):(.*)$')
  local folded = redis.call('ZSCORE', KEYS[4], account)
  -- A sample already counted (written again by a retried batch) is not counted twice.
  if cells and not (folded and tonumber(folded) >= tonumber(epoch)) then
    local delta = cells
    -- A latest sample replaces the cells of the account's last one counted.
    if string.sub(account, -LATEST_LEN) == LATEST then
      local last = redis.call('HGET', KEYS[7], account)
      if last and last ~= '' then
        delta = string.gsub(last, '=(%d+)', '=-%1') .. (cells ~= '' and (';' .. cells) or '')
      end
      redis.call('HSET', KEYS[7], account, cells)
    end
    if delta ~= '' then
      table.insert(changed, delta)
      for cell, count in string.gmatch(delta, '([^=;]+)=(%-?%d+)') do
        redis.call('HINCRBY', KEYS[1], cell, tonumber(count))
      end
    end
    redis.call('ZADD', KEYS[4], epoch, account)
  end
  redis.call('HDEL', KEYS[2], entry)
end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', as_of)
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', as_of - keep)
if #changed > 0 then
  local n = redis.call('HINCRBY', KEYS[6], 'n', 1)
  redis.call('ZADD', KEYS[5], as_of, n .. '|' .. table.concat(changed, ';'))
end
local newest = math.max(tonumber(redis.call('HGET', KEYS[6], 'v') or as_of), as_of)
redis.call('HSET', KEYS[6], 'v', newest)
local from = tonumber(redis.call('HGET', KEYS[6], 'from') or (as_of - kept))
if as_of - kept > from then
  from = as_of - kept
  redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', from)
end
redis.call('HSET', KEYS[6], 'from', from)
if since and since >= from and since <= as_of then
  local out = {1, as_of}
  for _, entry in ipairs(redis.call('ZRANGEBYSCORE', KEYS[5], '(' .. since, as_of)) do
    table.insert(out, string.match(entry, '|(.*)$'))
  end
  return out
end
local out = {0, newest}
for _, item in ipairs(redis.call('HGETALL', KEYS[1])) do table.insert(out, item) end
return out
""".replace("LATEST_LEN", str(len(LATEST))).replace("LATEST", "'\\31latest'")


class EpochMismatch(ValueError):
    """The store's epochs are of another length than this process's."""


class RedisLinks:
    def __init__(
        self,
        url: str,
        prefix: str = "hg",
        max_members: int = 4096,
        ttl_epochs: int = 26 * 60,
        cluster: bool = False,
        sentinel: Sentinels | None = None,
        epoch_s: int = 60,
    ) -> None:
        self.url = url
        self.cluster = cluster
        self.epoch_s = epoch_s
        self.prefix = prefix
        self.max_members = max_members
        self.ttl_epochs = ttl_epochs
        # Keys outlive their newest report's expiry by an hour: time enough to set their
        # expiry only once an hour of event time per value, not with every report.
        self.ttl_s = ttl_epochs * epoch_s + _REFRESH_S
        self._refresh_epochs = max(1, _REFRESH_S // epoch_s)
        self._epoch_checked = False
        self._expiry_set: dict[str, int] = {}  # value -> epoch its keys' expiry was set in
        self.client = connect(url, cluster, sentinel=sentinel)
        client = self.client
        if isinstance(client, LazyCluster):
            self._by_slot: SlotScript | None = SlotScript(client, _FOLD)
            self._samples_by_slot: SlotScript | None = SlotScript(client, _FOLD_SAMPLES)
        else:
            self._by_slot = self._samples_by_slot = None
            self._fold = client.register_script(_FOLD)
            self._fold_samples = client.register_script(_FOLD_SAMPLES)

    def _keys(self, value: str) -> tuple[str, str, str]:
        key = f"{self.prefix}:l:{{{value}}}"
        return key, f"{key}:p", f"{key}:x"

    def _base_keys(self) -> list[str]:
        tag = f"{self.prefix}:base"
        return [f"{{{tag}}}", *(f"{{{tag}}}:{k}" for k in ("p", "i", "f", "c", "v", "l"))]

    def contribute(self, epoch: int, contribution: Contribution) -> None:
        if not self._epoch_checked:
            self._check_epoch()
        pipe = self.client.pipeline(transaction=False)
        for account, (values, profile, dropped) in contribution.reports.items():
            report = ",".join(map(str, quantise(profile)))
            entry = f"{epoch}:{account}"
            for value in dropped:
                key, pending, _ = self._keys(value)
                pipe.hdel(key, f"p:{entry}")
                pipe.zrem(pending, entry)
            for value in values:
                key, pending, _ = self._keys(value)
                pipe.hset(key, f"p:{entry}", report)
                pipe.zadd(pending, {entry: epoch})
                last = self._expiry_set.get(value)
                if last is None or epoch - last >= self._refresh_epochs:
                    pipe.expire(key, self.ttl_s)
                    pipe.expire(pending, self.ttl_s)
                    self._expiry_set[value] = epoch
        if contribution.samples:
            _, pending, index, *_ = self._base_keys()
            for account, cells in contribution.samples.items():
                entry = f"{epoch}:{account}"
                pipe.hset(pending, entry, ";".join(f"{c}={n}" for c, n in cells.items()))
                pipe.zadd(index, {entry: epoch})
        if len(self._expiry_set) > _REFRESHES_KEPT:
            self._expiry_set.clear()  # forgetting only costs a few EXPIREs again
        models = list(contribution.models)
        if models:
            pipe.zadd(f"{self.prefix}:models", dict.fromkeys(models, epoch), lt=True)
        self._run(pipe)

    def _check_epoch(self) -> None:
        """Refuse to mix epochs of two lengths in one store: every stored epoch number would
        mean another time."""
        key = f"{self.prefix}:epoch_s"
        try:
            self.client.set(key, self.epoch_s, nx=True)
            stored = int(cast(bytes, self.client.get(key)))
        except ERRORS as error:
            raise StoreUnavailable(f"redis: {error}") from error
        if stored != self.epoch_s:
            raise EpochMismatch(
                f"HARVESTGUARD_EPOCH_S is {self.epoch_s} but the cross-account state under "
                f"{self.prefix}: was written with {stored}-second epochs: set it back to "
                f"{stored}, or clear {self.prefix}:l:*, {{{self.prefix}:base}}*, "
                f"{self.prefix}:models and {key} first"
            )
        self._epoch_checked = True

    def groups(self, values: Iterable[str], as_of: int) -> dict[str, Group]:
        wanted = sorted(set(values))
        if not wanted:
            return {}
        args = [as_of, self.ttl_epochs, self.max_members]
        if self._by_slot is None:
            calls = [wanted]
            try:
                replies = [self._fold(keys=[k for v in wanted for k in self._keys(v)], args=args)]
            except ERRORS as error:
                raise StoreUnavailable(f"redis: {error}") from error
        else:
            slots: dict[int, list[str]] = {}
            for value in wanted:
                slots.setdefault(slot(self._keys(value)[0]), []).append(value)
            calls = list(slots.values())
            scripts = [([k for v in vs for k in self._keys(v)], args) for vs in calls]
            try:
                replies = self._by_slot.run(scripts)
            except ERRORS as error:
                raise StoreUnavailable(f"redis: {error}") from error
        found = {}
        for group_values, reply in zip(calls, replies, strict=True):
            for value, raw in zip(group_values, reply, strict=True):
                members, common, *sums = cast(list[bytes | None], raw)
                if members is None or (int(members) <= 0 and common is None):
                    continue
                profile = EMPTY_PROFILE if common else dequantise(int(v or 0) for v in sums)
                found[value] = Group(value, int(members), common is not None, profile)
        return found

    def models(self, as_of: int) -> dict[str, int]:
        try:
            known = self.client.zrangebyscore(
                f"{self.prefix}:models", "-inf", as_of, withscores=True
            )
        except ERRORS as error:
            raise StoreUnavailable(f"redis: {error}") from error
        return {name.decode(): int(score) for name, score in cast(list[Any], known)}

    def histograms(self, as_of: int, since: int | None = None) -> Histograms:
        keys = self._base_keys()
        args = [as_of, self.ttl_epochs, "" if since is None else since, CHANGES_KEPT]
        try:
            if self._samples_by_slot is None:
                raw = self._fold_samples(keys=keys, args=args)
            else:
                raw = self._samples_by_slot.run([(keys, args)])[0]
        except ERRORS as error:
            raise StoreUnavailable(f"redis: {error}") from error
        delta, newest, *rest = cast(list[Any], raw)
        cells: dict[str, int] = {}
        if delta:
            for changes in cast(list[bytes], rest):
                for cell, count in (item.split(b"=") for item in changes.split(b";")):
                    name = cell.decode()
                    cells[name] = cells.get(name, 0) + int(count)
        else:
            cells = {rest[i].decode(): int(rest[i + 1]) for i in range(0, len(rest), 2)}
        return Histograms(cells, int(newest), not delta)

    def members(self, value: str, limit: int = 50) -> list[str]:
        """Accounts behind a value (at most ``limit``; none once it is common)."""
        try:
            names = cast(list[bytes], self.client.hkeys(self._keys(value)[0]))
        except ERRORS as error:
            raise StoreUnavailable(f"redis: {error}") from error
        found = sorted(n.decode()[2:] for n in names if n.startswith(b"m:"))
        return found[:limit]

    def _run(self, pipe: Any) -> list[Any]:
        try:
            return cast(list[Any], pipe.execute())
        except ERRORS as error:
            raise StoreUnavailable(f"redis: {error}") from error

    def close(self) -> None:
        self.client.close()
