"""--shard I/N by content, not by position: a job's shard comes from a hash of what it asks
for (model, endpoint, body, headers, its line's file name template) and which repeat of that
content it is. Adding, removing or reordering other lines never moves a job to another shard,
so a CI matrix with one cache per shard never pays for the same image twice.

Identical lines stay distinct jobs: the k-th copy of some content is its own job, and it keeps
its shard as long as k stays the same.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pixazo_cli.batch.jobfile import BatchJob

GATEWAY_LIMIT = 60  # paid requests a minute per key: the gateway's fair-use limit


class ShardCounter:
    """Each job's shard, one job at a time in file order (a file need not be held at once)."""

    def __init__(self, count: int) -> None:
        self.count = count
        self._seen: dict[str, int] = {}  # a short hash of each content: how often it came

    def identity(self, job: BatchJob) -> str:
        """The job's stable identity: its content's hash and its repeat number."""
        content = json.dumps({"endpoint": job.request.path, "body": job.written_body(),
                              "headers": job.request.headers, "name": job.name},
                             sort_keys=True, ensure_ascii=False)
        digest = hashlib.sha256(content.encode()).hexdigest()
        repeat = self._seen[digest[:32]] = self._seen.get(digest[:32], 0) + 1
        return f"{digest}#{repeat}"

    def number(self, job: BatchJob) -> int:
        return shard_number(self.identity(job), self.count)


def shard_number(identity: str, count: int) -> int:
    """1..count, from the identity alone."""
    return int(hashlib.sha256(identity.encode()).hexdigest()[:16], 16) % count + 1


def shard_numbers(jobs: Sequence[BatchJob], count: int) -> list[int]:
    counter = ShardCounter(count)
    return [counter.number(job) for job in jobs]


def shard(jobs: list[BatchJob], which: tuple[int, int] | None) -> list[BatchJob]:
    """The jobs of shard I of N; every job is in exactly one shard."""
    if which is None:
        return jobs
    index, count = which
    return [job for job, number in zip(jobs, shard_numbers(jobs, count), strict=True)
            if number == index]


def shard_sizes(jobs: Sequence[BatchJob], count: int) -> list[int]:
    sizes = [0] * count
    for number in shard_numbers(jobs, count):
        sizes[number - 1] += 1
    return sizes


def shard_rate_limit(count: int) -> int:
    """N shards share one key, so each gets 1/N of the gateway's limit (at least 1)."""
    return max(1, GATEWAY_LIMIT // count)
