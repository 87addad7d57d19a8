"""A locustfile that forgot name= cannot make the plugin's cost grow with every request."""

from __future__ import annotations

from harness.load.names import OTHER_NAME, NameBound


def test_names_past_the_bound_fold_into_one_and_the_first_fold_is_flagged_once() -> None:
    bound = NameBound(limit=2)
    assert [bound.fold(n) for n in ("/a", "/b", "/a")] == ["/a", "/b", "/a"]
    assert not bound.first_fold

    assert bound.fold("/items/1") == OTHER_NAME
    assert bound.first_fold
    folded = [bound.fold(f"/items/{i}") for i in range(2, 1000)]

    assert set(folded) == {OTHER_NAME}
    assert not bound.first_fold
    assert bound.admitted == {"/a", "/b"}  # the names kept never grow past the bound
    assert bound.folded_examples == ["/items/1", "/items/2", "/items/3"]
    assert bound.folded_requests == 999
