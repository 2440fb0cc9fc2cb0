"""Packages whose public names are imported on first use (PEP 562): ``import outagecomms``
or ``import outagecomms.incidents.views`` then costs only the modules it needs."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any


def lazy_names(
    namespace: MutableMapping[str, Any], where: Mapping[str, str]
) -> Callable[[str], Any]:
    """A module ``__getattr__`` for the package whose ``globals()`` are ``namespace``: a
    name of ``where`` (name -> the module defining it) is imported when first used, then
    kept; any other name is an ``AttributeError`` (submodules are found by the import
    system before it is asked)."""
    package = namespace["__name__"]

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    return __getattr__
