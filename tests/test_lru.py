"""The bounded LRU behind the feed and page caches."""

from __future__ import annotations

from roadshow.lru import BoundedLRU


def test_lru_evicts_the_least_recently_used_beyond_its_entry_limit():
    cache = BoundedLRU(max_entries=2, max_bytes=10**6)
    cache.put("a", b"1")
    cache.put("b", b"2")
    assert cache.get("a") == b"1"  # now "b" is the least recently used
    cache.put("c", b"3")
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (b"1", None, b"3")
    assert len(cache) == 2


def test_lru_keeps_its_memory_under_the_byte_limit():
    one = b"x" * 1000
    cache = BoundedLRU(max_entries=100, max_bytes=3 * len(one) + 200)
    for key in range(5):
        cache.put(key, one)
    assert [key for key in range(5) if cache.get(key) is not None] == [2, 3, 4]
    assert cache.size <= cache.max_bytes
    cache.put("huge", b"x" * 10_000)  # larger than the whole cache: not kept, nothing evicted
    assert cache.get("huge") is None and len(cache) == 3
    cache.clear()
    assert len(cache) == 0 and cache.size == 0


def test_lru_counts_bytes_with_its_size_function():
    cache = BoundedLRU(max_entries=10, max_bytes=10, size=len)
    cache.put("a", b"12345")
    cache.put("b", b"123456")  # 11 bytes in all: "a" goes
    assert (cache.get("a"), cache.get("b"), cache.size) == (None, b"123456", 6)
