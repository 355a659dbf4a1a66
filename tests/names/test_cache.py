"""The on-disk cache of derived name tables."""

from homecoming.names import _cache


def test_cached_json_builds_once_then_reads(tmp_path, monkeypatch):
    monkeypatch.setenv("HOMECOMING_CACHE_DIR", str(tmp_path))
    calls = []

    def build():
        calls.append(1)
        return {"a": ["x", "y"]}

    assert _cache.cached_json("t", build) == {"a": ["x", "y"]}
    assert _cache.cached_json("t", build) == {"a": ["x", "y"]}
    assert len(calls) == 1
    files = list(tmp_path.glob("t-*.json"))
    assert len(files) == 1
    files[0].write_text("{broken", encoding="utf-8")  # a damaged cache is rebuilt
    assert _cache.cached_json("t", build) == {"a": ["x", "y"]}
    assert len(calls) == 2


def test_cache_disabled_or_unwritable(tmp_path, monkeypatch):
    monkeypatch.setenv("HOMECOMING_CACHE_DIR", "")
    assert _cache.cached_json("t", lambda: [1]) == [1]
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("HOMECOMING_CACHE_DIR", str(blocker / "sub"))  # cannot be created
    assert _cache.cached_json("t", lambda: [2]) == [2]
