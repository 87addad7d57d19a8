from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class HomeRequest(_message.Message):
    __slots__ = ("user_id", "n")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    N_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    n: int
    def __init__(self, user_id: _Optional[int] = ..., n: _Optional[int] = ...) -> None: ...

class SimilarRequest(_message.Message):
    __slots__ = ("item_id", "n")
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    N_FIELD_NUMBER: _ClassVar[int]
    item_id: int
    n: int
    def __init__(self, item_id: _Optional[int] = ..., n: _Optional[int] = ...) -> None: ...

class TrendingRequest(_message.Message):
    __slots__ = ("category", "n")
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    N_FIELD_NUMBER: _ClassVar[int]
    category: int
    n: int
    def __init__(self, category: _Optional[int] = ..., n: _Optional[int] = ...) -> None: ...

class Item(_message.Message):
    __slots__ = ("item_id", "category", "price_cents", "in_stock")
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    PRICE_CENTS_FIELD_NUMBER: _ClassVar[int]
    IN_STOCK_FIELD_NUMBER: _ClassVar[int]
    item_id: int
    category: int
    price_cents: int
    in_stock: bool
    def __init__(self, item_id: _Optional[int] = ..., category: _Optional[int] = ..., price_cents: _Optional[int] = ..., in_stock: _Optional[bool] = ...) -> None: ...

class ItemList(_message.Message):
    __slots__ = ("items", "degraded", "fallbacks")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    DEGRADED_FIELD_NUMBER: _ClassVar[int]
    FALLBACKS_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[Item]
    degraded: bool
    fallbacks: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, items: _Optional[_Iterable[_Union[Item, _Mapping]]] = ..., degraded: _Optional[bool] = ..., fallbacks: _Optional[_Iterable[str]] = ...) -> None: ...

class Event(_message.Message):
    __slots__ = ("user_id", "item_id", "type")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    item_id: int
    type: str
    def __init__(self, user_id: _Optional[int] = ..., item_id: _Optional[int] = ..., type: _Optional[str] = ...) -> None: ...

class EventAccepted(_message.Message):
    __slots__ = ("accepted",)
    ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    accepted: bool
    def __init__(self, accepted: _Optional[bool] = ...) -> None: ...
